import { statusKindOf } from './states';

describe('statusKindOf', () => {
  it.each([
    ['success', 'ok'],
    ['failed', 'error'],
    ['upstream_failed', 'error'],
    ['running', 'running'],
    ['queued', 'pending'],
    ['up_for_retry', 'pending'],
    ['skipped', 'aborted'],
    ['none', 'aborted'],
  ] as const)('maps %s to %s', (state, kind) => {
    expect(statusKindOf(state)).toBe(kind);
  });
});
