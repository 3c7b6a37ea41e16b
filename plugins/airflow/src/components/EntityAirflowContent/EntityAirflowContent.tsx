import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  useAppLocation,
  useAppSearchParams,
} from '@backstage/frontend-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  AIRFLOW_DAG_IDS_ANNOTATION,
  isAirflowAvailable,
  type AirflowDagRun,
  type AirflowEntityDag,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Stack from '@mui/material/Stack';
import { useMemo, useState } from 'react';
import { useAirflowPermissions, useEntityDags } from '../../hooks';
import { DagRunsView } from '../DagRunsView';
import { DagsTable } from '../DagsTable';
import { EntityDagsWarnings } from '../EntityDagsWarnings';
import { RunFailurePanel } from '../RunFailureSummary';
import { TriggerDagRunDialog } from '../TriggerDagRunDialog';
import {
  RUN_STATE_PARAM,
  SELECTED_DAG_PARAM,
  SELECTED_INSTANCE_PARAM,
  SELECTED_RUN_PARAM,
  TRIGGER_CONF_PARAM,
  dagRunsQuery,
} from '../../lib/tabLinks';

export {
  RUN_STATE_PARAM,
  SELECTED_DAG_PARAM,
  SELECTED_INSTANCE_PARAM,
  SELECTED_RUN_PARAM,
  TRIGGER_CONF_PARAM,
};

/** The query parameters of the runs view, dropped when another DAG (or none) is selected. */
const RUNS_VIEW_PARAMS = [
  SELECTED_INSTANCE_PARAM,
  SELECTED_DAG_PARAM,
  SELECTED_RUN_PARAM,
  RUN_STATE_PARAM,
  TRIGGER_CONF_PARAM,
];

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
 * the DAG selected with the `instance` and `dag` query parameters (with
 * `state` filtering them and `run` showing one run's task instances); with a
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

/**
 * The DAG table's empty content, one element: the table's body is a
 * component made from it, so a new element per render would remount the rows.
 */
const NO_DAGS_TO_SHOW = (
  <EmptyState
    missing="data"
    title="No DAGs to show"
    description="None of the entity's DAGs could be loaded; see the warnings above."
  />
);

function AirflowEntityDagsView(props: { pollIntervalMs?: number }) {
  const { entity } = useEntity();
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const permissions = useAirflowPermissions(entity);
  const [searchParams, setSearchParams] = useAppSearchParams();
  const { pathname } = useAppLocation();
  const selectedInstance = searchParams.get(SELECTED_INSTANCE_PARAM);
  const selectedDagId = searchParams.get(SELECTED_DAG_PARAM);
  const sharedTriggerConf = searchParams.get(TRIGGER_CONF_PARAM);
  const [dagToTrigger, setDagToTrigger] = useState<AirflowEntityDag>();
  const [failure, setFailure] = useState<AirflowDagRun>();
  const dags = useEntityDags(entityRef);

  const select = (dag?: { instance: string; dagId: string }) =>
    setSearchParams(previous => {
      const next = new URLSearchParams(previous);
      RUNS_VIEW_PARAMS.forEach(param => next.delete(param));
      if (dag) {
        next.set(SELECTED_INSTANCE_PARAM, dag.instance);
        next.set(SELECTED_DAG_PARAM, dag.dagId);
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
  if (dags.error && !dags.value) {
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
      {dags.error && (
        <ResponseErrorPanel
          title="Could not refresh the DAGs: showing the last ones loaded"
          error={dags.error}
        />
      )}
      <EntityDagsWarnings missing={response.missing} errors={response.errors} />
      {failure && (
        <RunFailurePanel
          key={`${failure.instance}/${failure.dagId}/${failure.runId}`}
          entityRef={entityRef}
          run={failure}
          permissions={permissions}
          onClose={() => setFailure(undefined)}
          onChanged={() => dags.retry()}
        />
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
        dagRunsHref={dag =>
          `${pathname}${dagRunsQuery(dag.instance, dag.dagId)}`
        }
        runHref={run =>
          `${pathname}${dagRunsQuery(run.instance, run.dagId, run.runId)}`
        }
        onTriggerDagRun={setDagToTrigger}
        onShowFailure={(_, run) => setFailure(run)}
        onDagChanged={dag => {
          dags.applyChange(dag);
          dags.retry();
        }}
        emptyContent={NO_DAGS_TO_SHOW}
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
