import { useApi } from '@backstage/frontend-plugin-api';
import type {
  AirflowDanglingPage,
  AirflowOwnershipIndexStatus,
  AirflowOwnershipPage,
  AirflowOwnershipQuery,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { airflowApiRef, type AirflowOwnershipPageOptions } from '../api';

/** An answer with the local time it arrived (server ages count from there). */
export interface Loaded<T> {
  value: T;
  /** `Date.now()` when the answer arrived. */
  receivedAt: number;
}

/** State of a server read that keeps showing the previous answer while the next one loads. */
export interface LatestState<T> {
  /** The latest answer (kept while the next one loads). */
  loaded?: Loaded<T>;
  /** True while a request is in flight. */
  loading: boolean;
  /** Why the latest request failed. */
  error?: Error;
}

/**
 * Runs `load` whenever `key` changes and keeps the latest answer; answers of
 * superseded requests are dropped.
 */
function useLatest<T>(load: () => Promise<T>, key: string): LatestState<T> {
  const [state, setState] = useState<LatestState<T>>({ loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let cancelled = false;
    setState(previous => ({ ...previous, loading: true }));
    loadRef.current().then(
      value => {
        if (!cancelled) {
          setState({
            loaded: { value, receivedAt: Date.now() },
            loading: false,
          });
        }
      },
      (error: Error) => {
        if (!cancelled) {
          setState(previous => ({ ...previous, loading: false, error }));
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key]);
  return state;
}

/** One page of the ownership view; reloads when the options or `reloadKey` change. */
export function useOwnershipPage(
  options: AirflowOwnershipPageOptions,
  reloadKey: number = 0,
): LatestState<AirflowOwnershipPage> {
  const airflowApi = useApi(airflowApiRef);
  return useLatest(
    () => airflowApi.getOwnership(options),
    JSON.stringify([options, reloadKey]),
  );
}

/** One page of the dangling references; reloads when the options or `reloadKey` change. */
export function useOwnershipDangling(
  options: AirflowOwnershipQuery & { limit?: number; offset?: number },
  reloadKey: number = 0,
): LatestState<AirflowDanglingPage> {
  const airflowApi = useApi(airflowApiRef);
  return useLatest(
    () => airflowApi.getOwnershipDangling(options),
    JSON.stringify([options, reloadKey]),
  );
}

/** State of {@link useOwnershipRefresh}. */
export interface OwnershipRefreshState {
  /** True while a refresh is in flight. */
  refreshing: boolean;
  /** Why the latest refresh request failed. */
  error?: Error;
  /** Bumped after each refresh that answered: reload the pages with it. */
  reloadKey: number;
  /** The index state the latest refresh answered. */
  status?: Loaded<AirflowOwnershipIndexStatus>;
  /** Rebuilds the index now (`POST /ownership/refresh`). */
  refresh: () => Promise<void>;
}

/** "Refresh now": rebuilds the index on the server, then lets the pages reload. */
export function useOwnershipRefresh(): OwnershipRefreshState {
  const airflowApi = useApi(airflowApiRef);
  const [refreshing, setRefreshing] = useState(false);
  const [error, setError] = useState<Error>();
  const [reloadKey, setReloadKey] = useState(0);
  const [status, setStatus] = useState<Loaded<AirflowOwnershipIndexStatus>>();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const refresh = useCallback(async () => {
    setRefreshing(true);
    setError(undefined);
    try {
      const value = await airflowApi.refreshOwnership();
      if (!mounted.current) return;
      setStatus({ value, receivedAt: Date.now() });
      setReloadKey(k => k + 1);
    } catch (e) {
      if (mounted.current) setError(e as Error);
    } finally {
      if (mounted.current) setRefreshing(false);
    }
  }, [airflowApi]);
  return { refreshing, error, reloadKey, status, refresh };
}
