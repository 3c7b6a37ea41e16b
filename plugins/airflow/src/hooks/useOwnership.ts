import { useApi } from '@backstage/frontend-plugin-api';
import type { AirflowOwnershipResponse } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { airflowApiRef } from '../api';

/** An ownership answer with the local time it arrived. */
export interface LoadedOwnership {
  response: AirflowOwnershipResponse;
  /** `Date.now()` when the answer arrived; the index age counts from here. */
  receivedAt: number;
}

/** State of {@link useOwnership}. */
export interface OwnershipState {
  /** The latest answer, kept while refreshing. */
  value?: LoadedOwnership;
  /** True while the first load is in flight. */
  loading: boolean;
  /** Why the first load failed. */
  error?: Error;
  /** True while a refresh is in flight. */
  refreshing: boolean;
  /** Why the latest refresh request failed (the previous answer stays in `value`). */
  refreshError?: Error;
  /** Rebuilds the index now (`POST /ownership/refresh`) and shows the new answer. */
  refresh: () => Promise<void>;
}

/** Loads the ownership index once, with a `refresh` that rebuilds it on the server. */
export function useOwnership(): OwnershipState {
  const airflowApi = useApi(airflowApiRef);
  const [value, setValue] = useState<LoadedOwnership>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<Error>();
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(undefined);
    airflowApi.getOwnership().then(
      response => {
        if (cancelled) return;
        setValue({ response, receivedAt: Date.now() });
        setLoading(false);
      },
      (e: Error) => {
        if (cancelled) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [airflowApi]);

  const refresh = useCallback(async () => {
    setRefreshing(true);
    setRefreshError(undefined);
    try {
      const response = await airflowApi.refreshOwnership();
      if (!mounted.current) return;
      setValue({ response, receivedAt: Date.now() });
      setError(undefined);
    } catch (e) {
      if (mounted.current) setRefreshError(e as Error);
    } finally {
      if (mounted.current) setRefreshing(false);
    }
  }, [airflowApi]);

  return { value, loading, error, refreshing, refreshError, refresh };
}
