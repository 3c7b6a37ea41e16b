import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { useEffect, useState } from 'react';
import { airflowApiRef } from '../api';
import { hasActiveDagRun } from '../lib/states';
import { DEFAULT_DAG_RUNS_POLL_INTERVAL_MS } from './useDagRuns';

/**
 * A DAG run kept up to date: reloaded `pollIntervalMs` after each load while
 * it is queued or running, until it settles. Starts from `run` (e.g. the
 * answer of a trigger); undefined `run` loads nothing.
 */
export function useLiveDagRun(options: {
  entityRef: CompoundEntityRef;
  run?: AirflowDagRun;
  pollIntervalMs?: number;
}): AirflowDagRun | undefined {
  const airflowApi = useApi(airflowApiRef);
  const {
    entityRef,
    run,
    pollIntervalMs = DEFAULT_DAG_RUNS_POLL_INTERVAL_MS,
  } = options;
  const [latest, setLatest] = useState(run);
  useEffect(() => setLatest(run), [run]);

  const { kind, namespace, name } = entityRef;
  useEffect(() => {
    if (!latest || !hasActiveDagRun([latest])) return undefined;
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const answer = await airflowApi.getDagRun({
          entityRef: { kind, namespace, name },
          instance: latest.instance,
          dagId: latest.dagId,
          runId: latest.runId,
        });
        if (!cancelled) setLatest({ ...latest, ...answer.run });
      } catch {
        // Keep the last state; the next render tries again.
        if (!cancelled) setLatest({ ...latest });
      }
    }, pollIntervalMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [airflowApi, kind, namespace, name, latest, pollIntervalMs]);

  return latest;
}
