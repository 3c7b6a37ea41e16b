import { act, renderHook, waitFor } from '@testing-library/react';
import { useReloadableAsync } from './useReloadableAsync';

describe('useReloadableAsync', () => {
  it('keeps the last good value when a reload fails, next to the error', async () => {
    const load = jest
      .fn()
      .mockResolvedValueOnce('first')
      .mockRejectedValueOnce(new Error('Airflow is down'))
      .mockResolvedValueOnce('third');
    const { result } = renderHook(() => useReloadableAsync(load, ['a']));
    await waitFor(() => expect(result.current.value).toBe('first'));
    act(() => result.current.retry());
    await waitFor(() =>
      expect(result.current.error?.message).toBe('Airflow is down'),
    );
    expect(result.current.value).toBe('first');
    act(() => result.current.retry());
    await waitFor(() => expect(result.current.value).toBe('third'));
    expect(result.current.error).toBeUndefined();
  });

  it('keeps no value when the load for other dependencies fails', async () => {
    const load = jest
      .fn()
      .mockResolvedValueOnce('page 1')
      .mockRejectedValueOnce(new Error('page 2 failed'));
    const { result, rerender } = renderHook(
      ({ page }) => useReloadableAsync(load, [page]),
      { initialProps: { page: 1 } },
    );
    await waitFor(() => expect(result.current.value).toBe('page 1'));
    rerender({ page: 2 });
    await waitFor(() =>
      expect(result.current.error?.message).toBe('page 2 failed'),
    );
    expect(result.current.value).toBeUndefined();
  });
});
