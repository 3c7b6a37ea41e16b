import { useCallback, useRef, useState, type DependencyList } from 'react';
import useAsync from 'react-use/esm/useAsync';

const sameDeps = (a: DependencyList, b: DependencyList) =>
  a.length === b.length && a.every((d, i) => Object.is(d, b[i]));

/**
 * `useAsync` with a `retry` that always reloads (react-use's `useAsyncRetry`
 * ignores retries while a load is in flight, which would drop the reload after
 * a mutation that races a poll). Earlier data stays in `value` while
 * reloading, and also when a reload (a poll, a retry) fails: then `error` and
 * the last good `value` loaded for the same dependencies are both set, so a
 * view can keep what it showed and say that refreshing it failed. When the
 * dependencies change (another page, another DAG), a failure leaves no value.
 */
export function useReloadableAsync<T>(
  fn: () => Promise<T>,
  deps: DependencyList,
) {
  const [attempt, setAttempt] = useState(0);
  const lastGood = useRef<{ deps: DependencyList; value: T }>();
  const latestLoad = useRef(0);
  const state = useAsync(async () => {
    const load = ++latestLoad.current;
    const value = await fn();
    // Only the newest load speaks for the current dependencies.
    if (load === latestLoad.current) lastGood.current = { deps, value };
    return value;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, attempt]);
  const retry = useCallback(() => setAttempt(a => a + 1), []);
  const kept =
    state.error && lastGood.current && sameDeps(lastGood.current.deps, deps)
      ? lastGood.current.value
      : undefined;
  return { ...state, value: state.value ?? kept, retry };
}
