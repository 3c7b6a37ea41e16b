import { WarningPanel } from '@backstage/core-components';
import type {
  AirflowInstanceError,
  AirflowMissingDag,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { instanceErrorReason } from '../../lib/errors';

/** Props of {@link EntityDagsWarnings}. */
export interface EntityDagsWarningsProps {
  /** Annotated DAGs their instance does not have. */
  missing: AirflowMissingDag[];
  /** Instances that failed while listing the DAGs. */
  errors: AirflowInstanceError[];
}

/** The title of an instance's failure while listing an entity's DAGs. */
export function instanceErrorTitle(error: AirflowInstanceError): string {
  if (error.scope === 'runs') {
    return `The latest runs of Airflow instance ${error.instance} are unavailable`;
  }
  return instanceErrorReason(error.instance, error);
}

/**
 * Warnings about an entity's DAGs: one panel listing annotated DAGs Airflow
 * does not have, and one panel per failed instance.
 */
export function EntityDagsWarnings(props: EntityDagsWarningsProps) {
  const { missing, errors } = props;
  if (missing.length === 0 && errors.length === 0) return null;
  return (
    <Stack spacing={2}>
      {errors.map(error => (
        <WarningPanel
          key={`${error.instance}:${error.scope ?? 'instance'}`}
          severity="error"
          title={instanceErrorTitle(error)}
          message={error.message}
          defaultExpanded
        >
          <Typography variant="body2">
            {error.name} (HTTP {error.status}).{' '}
            {error.scope === 'runs'
              ? 'The DAGs of this instance are shown without their latest runs.'
              : 'The DAGs of this instance are not shown.'}
          </Typography>
        </WarningPanel>
      ))}
      {missing.length > 0 && (
        <WarningPanel
          severity="warning"
          title={
            missing.length === 1
              ? '1 annotated DAG was not found in Airflow'
              : `${missing.length} annotated DAGs were not found in Airflow`
          }
          message="Check the DAG ids in the entity's airflow.apache.org/dag-ids annotation, or whether the DAG files were removed from Airflow."
          defaultExpanded
        >
          <ul aria-label="Missing DAGs" style={{ margin: 0 }}>
            {missing.map(m => (
              <li key={`${m.instance}:${m.dagId}`}>
                <code>{m.dagId}</code> on instance {m.instance}
              </li>
            ))}
          </ul>
        </WarningPanel>
      )}
    </Stack>
  );
}
