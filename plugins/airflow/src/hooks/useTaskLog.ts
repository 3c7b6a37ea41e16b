import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  LOG_TAIL_LINES_MAX,
  type AirflowLogError,
  type AirflowLogLine,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { airflowApiRef } from '../api';

/** Most log lines the browser keeps; older lines are dropped while following. */
export const LOG_VIEW_MAX_LINES = 20_000;

/** How often a running try's log is read on. */
export const DEFAULT_LOG_FOLLOW_INTERVAL_MS = 3000;

/** The state of a log being read. */
export interface TaskLogState {
  lines: AirflowLogLine[];
  errors: AirflowLogError[];
  loading: boolean;
  error?: Error;
  /** More lines can be read now (the last page stopped at the byte cap). */
  hasMore: boolean;
  /** Airflow reports the log complete. */
  endOfLog: boolean;
  /** Lines dropped at the start to stay under {@link LOG_VIEW_MAX_LINES}. */
  dropped: number;
  /** Reads the next page now. */
  loadMore: () => void;
}

/**
 * Reads one try's log: in `tail` mode the last lines once; otherwise page
 * after page with Airflow's continuation token, following the log while
 * the try runs (`follow`), without ever holding more than
 * {@link LOG_VIEW_MAX_LINES} lines.
 */
export function useTaskLog(options: {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  tail: boolean;
  follow: boolean;
  enabled: boolean;
  followIntervalMs?: number;
}): TaskLogState {
  const airflowApi = useApi(airflowApiRef);
  const {
    entityRef,
    instance,
    dagId,
    runId,
    taskId,
    mapIndex,
    tryNumber,
    tail,
    follow,
    enabled,
    followIntervalMs = DEFAULT_LOG_FOLLOW_INTERVAL_MS,
  } = options;
  const { kind, namespace, name } = entityRef;
  const [state, setState] = useState<Omit<TaskLogState, 'loadMore'>>({
    lines: [],
    errors: [],
    loading: enabled,
    hasMore: false,
    endOfLog: false,
    dropped: 0,
  });
  const cursor = useRef<{ token: string | null; offset: number }>({
    token: null,
    offset: 0,
  });
  const generation = useRef(0);
  const [pageRequest, setPageRequest] = useState(0);

  // A new log (another try, mode or task): start afresh.
  useEffect(() => {
    generation.current += 1;
    cursor.current = { token: null, offset: 0 };
    setState({
      lines: [],
      errors: [],
      loading: enabled,
      hasMore: false,
      endOfLog: false,
      dropped: 0,
    });
    setPageRequest(n => n + 1);
  }, [
    kind,
    namespace,
    name,
    instance,
    dagId,
    runId,
    taskId,
    mapIndex,
    tryNumber,
    tail,
    enabled,
  ]);

  useEffect(() => {
    if (!enabled || pageRequest === 0) return;
    const mine = generation.current;
    setState(s => ({ ...s, loading: true }));
    airflowApi
      .getTaskLog({
        entityRef: { kind, namespace, name },
        instance,
        dagId,
        runId,
        taskId,
        mapIndex,
        tryNumber,
        ...(tail
          ? { tail: LOG_TAIL_LINES_MAX }
          : {
              token: cursor.current.token ?? undefined,
              offset: cursor.current.offset || undefined,
            }),
      })
      .then(page => {
        if (generation.current !== mine) return;
        cursor.current = { token: page.nextToken, offset: page.nextOffset };
        setState(s => {
          const all = tail ? page.lines : [...s.lines, ...page.lines];
          const excess = Math.max(0, all.length - LOG_VIEW_MAX_LINES);
          return {
            lines: excess ? all.slice(excess) : all,
            errors: (tail ? page.errors : [...s.errors, ...page.errors]).slice(
              -10,
            ),
            loading: false,
            hasMore: !tail && page.hasMore,
            endOfLog: page.endOfLog,
            dropped: (tail ? 0 : s.dropped) + excess,
          };
        });
      })
      .catch(error => {
        if (generation.current !== mine) return;
        setState(s => ({ ...s, loading: false, error }));
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pageRequest]);

  // Following: read on while the try runs, one read per interval after the previous one.
  const { loading, endOfLog, error, hasMore } = state;
  useEffect(() => {
    if (
      !enabled ||
      tail ||
      !follow ||
      loading ||
      error ||
      endOfLog ||
      hasMore
    ) {
      return undefined;
    }
    const timer = setTimeout(() => {
      if (!document.hidden) setPageRequest(n => n + 1);
    }, followIntervalMs);
    return () => clearTimeout(timer);
  }, [
    enabled,
    tail,
    follow,
    loading,
    error,
    endOfLog,
    hasMore,
    followIntervalMs,
    state.lines,
  ]);

  const loadMore = useCallback(() => setPageRequest(n => n + 1), []);
  return { ...state, loadMore };
}
