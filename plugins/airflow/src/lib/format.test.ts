import { formatDuration, formatRelativeTime } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [270, '4m 30s'],
    [3723, '1h 2m 3s'],
    [90000, '1d 1h'],
  ])('formats %d seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('formats a missing duration as empty text', () => {
    expect(formatDuration(null)).toBe('');
  });
});

describe('formatRelativeTime', () => {
  it('formats a future date relative to now', () => {
    const inTwoHours = new Date(Date.now() + 2 * 3600_000 + 60_000);
    expect(formatRelativeTime(inTwoHours.toISOString())).toBe('in 2 hours');
  });
});
