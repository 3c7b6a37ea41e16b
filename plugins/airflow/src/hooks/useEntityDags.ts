import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  AirflowDag,
  AirflowEntityDagsResponse,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useReloadableAsync } from './useReloadableAsync';
import { airflowApiRef } from '../api';

/** A change the user made, laid over the list loaded before it. */
interface LocalChanges {
  /** The loaded list the changes were made against. */
  against: AirflowEntityDagsResponse | undefined;
  /** `instance/dagId` → the DAG's paused state as Airflow answered the change. */
  isPaused: Record<string, boolean>;
}

const keyOf = (dag: Pick<AirflowDag, 'instance' | 'dagId'>) =>
  `${dag.instance}/${dag.dagId}`;

/**
 * Loads the DAGs of an entity; `retry` reloads them. `applyChange` lays a
 * change Airflow confirmed (a pause or unpause) over the list shown until the
 * next load arrives, so that a row rendered again meanwhile (the table does
 * that on every reload) shows the state the user just set, not the one loaded
 * before; a load started before the change never wins over it, because each
 * reload supersedes the loads in flight.
 */
export function useEntityDags(entityRef: CompoundEntityRef) {
  const airflowApi = useApi(airflowApiRef);
  const { kind, namespace, name } = entityRef;
  const state = useReloadableAsync(
    () => airflowApi.listEntityDags({ entityRef: { kind, namespace, name } }),
    [airflowApi, kind, namespace, name],
  );
  const loaded = useRef(state.value);
  loaded.current = state.value;
  const [changes, setChanges] = useState<LocalChanges>({
    against: undefined,
    isPaused: {},
  });

  const applyChange = useCallback(
    (dag: Pick<AirflowDag, 'instance' | 'dagId' | 'isPaused'>) =>
      setChanges(previous => ({
        against: loaded.current,
        isPaused: {
          ...(previous.against === loaded.current ? previous.isPaused : {}),
          [keyOf(dag)]: dag.isPaused,
        },
      })),
    [],
  );

  const value = useMemo(() => {
    const response = state.value;
    if (!response || changes.against !== response) return response;
    return {
      ...response,
      dags: response.dags.map(dag => {
        const isPaused = changes.isPaused[keyOf(dag)];
        return isPaused === undefined ? dag : { ...dag, isPaused };
      }),
    };
  }, [state.value, changes]);

  return { ...state, value, applyChange };
}
