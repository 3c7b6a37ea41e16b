import { useEffect } from 'react';

/**
 * Reloads `intervalMs` after each load while `active` (one reload per
 * interval after the previous one finished, so requests never pile up;
 * none while the document is hidden, one as soon as it is shown again).
 * `value` must be a new object per load: the timer re-arms on each one.
 */
export function usePolling(options: {
  active: boolean;
  loading: boolean;
  value: unknown;
  intervalMs: number;
  reload: () => void;
}): void {
  const { active, loading, value, intervalMs, reload } = options;
  useEffect(() => {
    if (!active || loading) return undefined;
    const timer = setTimeout(() => {
      if (!document.hidden) reload();
    }, intervalMs);
    const onVisibilityChange = () => {
      if (!document.hidden) reload();
    };
    document.addEventListener('visibilitychange', onVisibilityChange);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
  }, [active, loading, value, intervalMs, reload]);
}
