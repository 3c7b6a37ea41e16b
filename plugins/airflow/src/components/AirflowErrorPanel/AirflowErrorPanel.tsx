import { ResponseErrorPanel, WarningPanel } from '@backstage/core-components';
import Typography from '@mui/material/Typography';
import { instanceErrorReason, typedRequestError } from '../../lib/errors';

/** Props of {@link AirflowErrorPanel}. */
export interface AirflowErrorPanelProps {
  /** The failed request's error. */
  error: Error;
  /** The Airflow instance the request was about. */
  instance: string;
  /** What failed, e.g. `Could not load the DAG runs`; the reason follows it. */
  title: string;
}

/**
 * A failed request about one Airflow instance, with the backend's typed
 * reason: `Could not load the DAG runs: Airflow instance prod is unavailable`,
 * the message, and the error's name and HTTP status, as the DAG list's
 * instance warnings show them. Errors that are not backend answers (a
 * network failure in the browser) get the generic error panel.
 */
export function AirflowErrorPanel(props: AirflowErrorPanelProps) {
  const { error, instance, title } = props;
  const typed = typedRequestError(error);
  if (!typed) return <ResponseErrorPanel title={title} error={error} />;
  return (
    <WarningPanel
      severity="error"
      title={`${title}: ${instanceErrorReason(instance, typed)}`}
      message={typed.message}
      defaultExpanded
    >
      <Typography variant="body2">
        {typed.name} (HTTP {typed.status})
      </Typography>
    </WarningPanel>
  );
}
