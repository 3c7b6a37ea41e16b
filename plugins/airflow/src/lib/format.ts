import { DateTime, Duration } from 'luxon';

/** "in 3 hours" / "5 minutes ago" for an ISO date, or an empty string for null. */
export function formatRelativeTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = DateTime.fromISO(iso);
  return date.isValid ? date.toRelative() ?? '' : iso;
}

/** A localized date and time with seconds, or an empty string for null. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = DateTime.fromISO(iso);
  return date.isValid
    ? date.toLocaleString(DateTime.DATETIME_MED_WITH_SECONDS)
    : iso;
}

/** A duration in seconds as `1h 2m 3s`, `4m 30s` or `12s`; empty for null. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) {
    return '';
  }
  const duration = Duration.fromObject({
    seconds: Math.max(0, Math.round(seconds)),
  }).shiftTo('days', 'hours', 'minutes', 'seconds');
  const parts: string[] = [];
  if (duration.days) parts.push(`${duration.days}d`);
  if (duration.hours) parts.push(`${duration.hours}h`);
  if (duration.minutes) parts.push(`${duration.minutes}m`);
  if (duration.seconds || parts.length === 0) {
    parts.push(`${duration.seconds}s`);
  }
  return parts.join(' ');
}
