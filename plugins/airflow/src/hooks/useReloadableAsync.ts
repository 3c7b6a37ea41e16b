import { useCallback, useState, type DependencyList } from 'react';
import useAsync from 'react-use/esm/useAsync';

/**
 * `useAsync` with a `retry` that always reloads (react-use's `useAsyncRetry`
 * ignores retries while a load is in flight, which would drop the reload after
 * a mutation that races a poll). Earlier data stays in `value` while reloading.
 */
export function useReloadableAsync<T>(
  fn: () => Promise<T>,
  deps: DependencyList,
) {
  const [attempt, setAttempt] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsync(fn, [...deps, attempt]);
  const retry = useCallback(() => setAttempt(a => a + 1), []);
  return { ...state, retry };
}
