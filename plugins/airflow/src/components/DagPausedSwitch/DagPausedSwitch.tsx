import type { CompoundEntityRef } from '@backstage/catalog-model';
import { errorApiRef, useApi } from '@backstage/frontend-plugin-api';
import type { AirflowDag } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
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

/**
 * A switch that pauses (on) or unpauses (off) a DAG. Its accessible name is
 * "Pause DAG"; the visible label says "Paused" or "Active".
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

  return (
    <PermissionTooltip permission={permission}>
      <FormControlLabel
        sx={{ mr: 0, whiteSpace: 'nowrap' }}
        disabled={!permission.allowed || pending}
        label={isPaused ? 'Paused' : 'Active'}
        control={
          <Switch
            size="small"
            checked={isPaused}
            onChange={(_, checked) => toggle(checked)}
            inputProps={{ role: 'switch', 'aria-label': 'Pause DAG' }}
          />
        }
      />
    </PermissionTooltip>
  );
}
