import type { CompoundEntityRef } from '@backstage/catalog-model';
import { errorApiRef, useApi } from '@backstage/frontend-plugin-api';
import type { AirflowDag } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Tooltip from '@mui/material/Tooltip';
import { useEffect, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { airflowApiRef } from '../../api';
import type { AirflowActionPermission } from '../../hooks';
import { errorMessage } from '../../lib/errors';
import { PermissionTooltip } from '../PermissionTooltip';

/** Props of {@link DagPausedSwitch}. */
export interface DagPausedSwitchProps {
  entityRef: CompoundEntityRef;
  dag: Pick<AirflowDag, 'instance' | 'dagId' | 'isPaused'>;
  permission: AirflowActionPermission;
  /** Called with the DAG as Airflow returned it after a change. */
  onChange?: (dag: AirflowDag) => void;
}

/** Accessible name of {@link DagPausedSwitch}. */
export const DAG_ACTIVE_SWITCH_NAME = 'DAG active';

/**
 * A switch that reads as Airflow's own: on means the DAG is active (Airflow
 * schedules its runs), off means it is paused. Its accessible name is
 * "DAG active"; the visible label says "Active" or "Paused", and a tooltip
 * says what switching does.
 */
export function DagPausedSwitch(props: DagPausedSwitchProps) {
  const { entityRef, dag, permission, onChange } = props;
  const airflowApi = useApi(airflowApiRef);
  const errorApi = useApi(errorApiRef);
  const [isPaused, setIsPaused] = useState(dag.isPaused);

  useEffect(() => setIsPaused(dag.isPaused), [dag.isPaused]);

  const [{ loading: pending }, toggle] = useAsyncFn(
    async (next: boolean) => {
      setIsPaused(next);
      try {
        const updated = await airflowApi.setDagPaused({
          entityRef,
          instance: dag.instance,
          dagId: dag.dagId,
          isPaused: next,
        });
        setIsPaused(updated.isPaused);
        onChange?.(updated);
      } catch (error) {
        setIsPaused(!next);
        errorApi.post(
          new Error(
            `Could not ${next ? 'pause' : 'unpause'} DAG ${
              dag.dagId
            }: ${errorMessage(error)}`,
          ),
        );
      }
    },
    [airflowApi, errorApi, entityRef, dag.instance, dag.dagId, onChange],
  );

  const control = (
    <FormControlLabel
      sx={{ mr: 0, whiteSpace: 'nowrap' }}
      disabled={!permission.allowed || pending}
      label={isPaused ? 'Paused' : 'Active'}
      control={
        <Switch
          size="small"
          checked={!isPaused}
          onChange={(_, active) => toggle(!active)}
          inputProps={{ role: 'switch', 'aria-label': DAG_ACTIVE_SWITCH_NAME }}
        />
      }
    />
  );
  if (!permission.allowed) {
    return (
      <PermissionTooltip permission={permission}>{control}</PermissionTooltip>
    );
  }
  return (
    <Tooltip
      describeChild
      title={
        isPaused
          ? 'Paused: Airflow schedules no runs of this DAG. Switch on to make it active.'
          : 'Active: Airflow schedules runs of this DAG. Switch off to pause it.'
      }
    >
      {control}
    </Tooltip>
  );
}
