import { DateTime } from 'luxon';

/** The outcome of {@link localDateTimeToIso}. */
export type LogicalDateParseResult =
  | { iso?: string; error?: undefined }
  | { iso?: undefined; error: string };

/** The zone a logical date is typed in: the browser's or UTC. */
export type LogicalDateZone = 'local' | 'utc';

/**
 * Converts the value of a `datetime-local` input (`2025-03-29T19:48`) typed
 * in the browser's time zone, or in UTC, to ISO 8601 with an offset, as the
 * backend requires (`2025-03-29T19:48:00+01:00`, `2025-03-29T19:48:00Z`).
 * Blank input means "no logical date".
 */
export function localDateTimeToIso(
  value: string,
  zone: LogicalDateZone = 'local',
): LogicalDateParseResult {
  if (!value.trim()) return {};
  const date = DateTime.fromISO(value, {
    zone: zone === 'utc' ? 'utc' : undefined,
  });
  if (!date.isValid) {
    return { error: 'Logical date is not a valid date and time' };
  }
  return {
    iso: date.toISO({ suppressMilliseconds: true }) ?? undefined,
  };
}

/** A logical date in UTC and in the browser's zone, side by side. */
export interface LogicalDateTimes {
  /** `2025-03-29 18:48:00 UTC`. */
  utc: string;
  /** `2025-03-29 19:48:00 Europe/Paris (UTC+1)`. */
  local: string;
}

/** {@link LogicalDateTimes} of an ISO 8601 date-time with an offset. */
export function logicalDateTimes(iso: string): LogicalDateTimes {
  const date = DateTime.fromISO(iso, { setZone: true });
  const local = date.toLocal();
  const format = 'yyyy-MM-dd HH:mm:ss';
  return {
    utc: `${date.toUTC().toFormat(format)} UTC`,
    local: `${local.toFormat(format)} ${local.zoneName} (${local.toFormat(
      "'UTC'ZZ",
    )})`,
  };
}

/** The same moment as a `datetime-local` value in the other zone (when the user switches zones). */
export function convertDateTimeInput(
  value: string,
  from: LogicalDateZone,
  to: LogicalDateZone,
): string {
  const { iso } = localDateTimeToIso(value, from);
  if (!iso || from === to) return value;
  const date = DateTime.fromISO(iso, { setZone: true });
  const target = to === 'utc' ? date.toUTC() : date.toLocal();
  return target.toFormat("yyyy-MM-dd'T'HH:mm:ss");
}
