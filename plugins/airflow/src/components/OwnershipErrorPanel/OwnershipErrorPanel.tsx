import { ResponseErrorPanel, WarningPanel } from '@backstage/core-components';
import { airflowOwnershipReadPermission } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Typography from '@mui/material/Typography';
import { errorMessage, errorStatus } from '../../lib/errors';

/** Title of the panel shown when the ownership permission is denied. */
export const OWNERSHIP_PERMISSION_TITLE = `You do not have permission (${airflowOwnershipReadPermission.name})`;

/** Props of {@link OwnershipErrorPanel}. */
export interface OwnershipErrorPanelProps {
  /** The failed request's error. */
  error: Error;
  /** Title for errors other than a denied permission. */
  title?: string;
}

/**
 * A failed ownership request: a permission panel naming
 * `airflow.ownership.read` for 403, the backend's error otherwise.
 */
export function OwnershipErrorPanel(props: OwnershipErrorPanelProps) {
  const { error, title } = props;
  if (errorStatus(error) === 403) {
    return (
      <WarningPanel
        severity="error"
        title={OWNERSHIP_PERMISSION_TITLE}
        message={`Seeing every Airflow DAG with its catalog owners requires the ${airflowOwnershipReadPermission.name} permission. Ask your Backstage administrators to grant it.`}
        defaultExpanded
      >
        <Typography variant="body2" color="text.secondary">
          {errorMessage(error)}
        </Typography>
      </WarningPanel>
    );
  }
  return (
    <ResponseErrorPanel
      title={title ?? 'Could not load the Airflow ownership index'}
      error={error}
    />
  );
}
