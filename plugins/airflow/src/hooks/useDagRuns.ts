import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import type { DagRunState } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { usePolling } from './usePolling';
import { useReloadableAsync } from './useReloadableAsync';
import { airflowApiRef } from '../api';
import { hasActiveDagRun } from '../lib/states';

/** How often DAG runs are reloaded while one is queued or running. */
export const DEFAULT_DAG_RUNS_POLL_INTERVAL_MS = 5000;

/**
 * Loads one page of the DAG runs of a DAG. While any DAG run of the page is
 * queued or running, reloads `pollIntervalMs` after each load as long as the
 * document is visible; stops once they settle. Earlier data stays in `value`
 * while a reload is in flight.
 */
export function useDagRuns(options: {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  page: number;
  pageSize: number;
  states: DagRunState[];
  pollIntervalMs?: number;
}) {
  const airflowApi = useApi(airflowApiRef);
  const {
    entityRef,
    instance,
    dagId,
    page,
    pageSize,
    states,
    pollIntervalMs = DEFAULT_DAG_RUNS_POLL_INTERVAL_MS,
  } = options;
  const { kind, namespace, name } = entityRef;
  const stateKey = states.join(',');

  const result = useReloadableAsync(async () => {
    const list = await airflowApi.listDagRuns({
      entityRef: { kind, namespace, name },
      instance,
      dagId,
      limit: pageSize,
      offset: page * pageSize,
      states: stateKey ? (stateKey.split(',') as DagRunState[]) : undefined,
    });
    // A new object per load: the polling effect below re-arms on each one.
    return { ...list };
  }, [
    airflowApi,
    kind,
    namespace,
    name,
    instance,
    dagId,
    page,
    pageSize,
    stateKey,
  ]);

  const active = result.value ? hasActiveDagRun(result.value.items) : false;
  const { retry, loading, value } = result;

  usePolling({
    active,
    loading,
    value,
    intervalMs: pollIntervalMs,
    reload: retry,
  });

  return { ...result, polling: active };
}
