import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useAppSearchParams } from '@backstage/frontend-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  AIRFLOW_DAG_IDS_ANNOTATION,
  isAirflowAvailable,
  type AirflowDagRun,
  type AirflowEntityDag,
  type AirflowTaskInstance,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import CloseIcon from '@material-ui/icons/Close';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useMemo, useState } from 'react';
import { useAirflowPermissions, useEntityDags } from '../../hooks';
import { DagRunsView } from '../DagRunsView';
import { DagsTable } from '../DagsTable';
import { EntityDagsWarnings } from '../EntityDagsWarnings';
import { RunFailureSummary } from '../RunFailureSummary';
import { TaskInstanceDetails } from '../TaskInstanceActions';
import { TriggerDagRunDialog } from '../TriggerDagRunDialog';
import {
  SELECTED_DAG_PARAM,
  SELECTED_INSTANCE_PARAM,
  TRIGGER_CONF_PARAM,
} from '../../lib/tabLinks';

export { SELECTED_DAG_PARAM, SELECTED_INSTANCE_PARAM, TRIGGER_CONF_PARAM };

/**
 * Props of {@link EntityAirflowContent}.
 * @public
 */
export interface EntityAirflowContentProps {
  /** Reload interval of the DAG runs while one is queued or running (ms). */
  pollIntervalMs?: number;
}

/**
 * The Airflow tab of an entity page: the entity's DAGs, and the DAG runs of
 * the DAG selected with the `instance` and `dag` query parameters; with a
 * `trigger` parameter too, the trigger dialog of that DAG, prefilled with its
 * value as the run config (a shared link; it never triggers by itself).
 * @public
 */
export function EntityAirflowContent(props: EntityAirflowContentProps) {
  const { entity } = useEntity();
  if (!isAirflowAvailable(entity)) {
    return (
      <MissingAnnotationEmptyState annotation={AIRFLOW_DAG_IDS_ANNOTATION} />
    );
  }
  return <AirflowEntityDagsView pollIntervalMs={props.pollIntervalMs} />;
}

function AirflowEntityDagsView(props: { pollIntervalMs?: number }) {
  const { entity } = useEntity();
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const permissions = useAirflowPermissions(entity);
  const [searchParams, setSearchParams] = useAppSearchParams();
  const selectedInstance = searchParams.get(SELECTED_INSTANCE_PARAM);
  const selectedDagId = searchParams.get(SELECTED_DAG_PARAM);
  const sharedTriggerConf = searchParams.get(TRIGGER_CONF_PARAM);
  const [dagToTrigger, setDagToTrigger] = useState<AirflowEntityDag>();
  const [failure, setFailure] = useState<AirflowDagRun>();
  const [failedTask, setFailedTask] = useState<AirflowTaskInstance>();
  const dags = useEntityDags(entityRef);

  const select = (dag?: { instance: string; dagId: string }) =>
    setSearchParams(previous => {
      const next = new URLSearchParams(previous);
      next.delete(TRIGGER_CONF_PARAM);
      if (dag) {
        next.set(SELECTED_INSTANCE_PARAM, dag.instance);
        next.set(SELECTED_DAG_PARAM, dag.dagId);
      } else {
        next.delete(SELECTED_INSTANCE_PARAM);
        next.delete(SELECTED_DAG_PARAM);
      }
      return next;
    });

  if (selectedInstance && selectedDagId) {
    return (
      <DagRunsView
        key={`${selectedInstance}/${selectedDagId}`}
        entityRef={entityRef}
        instance={selectedInstance}
        dagId={selectedDagId}
        permissions={permissions}
        onBack={() => {
          select(undefined);
          dags.retry();
        }}
        pollIntervalMs={props.pollIntervalMs}
        sharedTriggerConfText={sharedTriggerConf ?? undefined}
        onSharedTriggerClose={() =>
          setSearchParams(
            previous => {
              const next = new URLSearchParams(previous);
              next.delete(TRIGGER_CONF_PARAM);
              return next;
            },
            { replace: true },
          )
        }
      />
    );
  }

  if (dags.loading && !dags.value) return <Progress />;
  if (dags.error) {
    return (
      <ResponseErrorPanel title="Could not load the DAGs" error={dags.error} />
    );
  }
  const response = dags.value;
  if (!response) return null;

  if (
    response.dags.length === 0 &&
    response.missing.length === 0 &&
    response.errors.length === 0
  ) {
    return (
      <EmptyState
        missing="data"
        title="No DAGs"
        description="The entity's Airflow annotations match no DAG. Check the DAG ids and tags in its airflow.apache.org annotations."
      />
    );
  }

  return (
    <Stack spacing={3}>
      <EntityDagsWarnings missing={response.missing} errors={response.errors} />
      {failure && (
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Box sx={{ display: 'flex', alignItems: 'center', mb: 1 }}>
            <Typography
              variant="h6"
              component="h2"
              sx={{ flexGrow: 1, wordBreak: 'break-word' }}
            >
              Why {failure.dagId} run {failure.runId} failed
            </Typography>
            <IconButton
              aria-label="Close the failure summary"
              onClick={() => setFailure(undefined)}
            >
              <CloseIcon />
            </IconButton>
          </Box>
          <RunFailureSummary
            entityRef={entityRef}
            instance={failure.instance}
            dagId={failure.dagId}
            runId={failure.runId}
            onOpenTaskInstance={setFailedTask}
          />
          <TaskInstanceDetails
            entityRef={entityRef}
            instance={failure.instance}
            dagId={failure.dagId}
            runId={failure.runId}
            taskInstance={failedTask}
            permissions={permissions}
            onClose={() => setFailedTask(undefined)}
            onChanged={() => dags.retry()}
          />
        </Paper>
      )}
      <DagsTable
        entityRef={entityRef}
        dags={response.dags}
        permissions={permissions}
        runsUnavailable={
          new Set(
            response.errors
              .filter(error => error.scope === 'runs')
              .map(error => error.instance),
          )
        }
        onShowDagRuns={dag => select(dag)}
        onTriggerDagRun={setDagToTrigger}
        onShowFailure={(_, run) => setFailure(run)}
        onDagChanged={dag => {
          dags.applyChange(dag);
          dags.retry();
        }}
        emptyContent={
          <EmptyState
            missing="data"
            title="No DAGs to show"
            description="None of the entity's DAGs could be loaded; see the warnings above."
          />
        }
      />
      {dagToTrigger && (
        <TriggerDagRunDialog
          open
          entityRef={entityRef}
          instance={dagToTrigger.instance}
          dagId={dagToTrigger.dagId}
          onClose={() => setDagToTrigger(undefined)}
          onTriggered={() => dags.retry()}
          pausePermission={permissions.pause}
        />
      )}
    </Stack>
  );
}
