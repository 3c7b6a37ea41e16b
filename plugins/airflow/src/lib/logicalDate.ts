import { DateTime } from 'luxon';

/** The outcome of {@link localDateTimeToIso}. */
export type LogicalDateParseResult =
  | { iso?: string; error?: undefined }
  | { iso?: undefined; error: string };

/**
 * Converts the value of a `datetime-local` input (`2025-03-29T19:48` in the
 * browser's time zone) to ISO 8601 with an offset, as the backend requires
 * (`2025-03-29T19:48:00+01:00`). Blank input means "no logical date".
 */
export function localDateTimeToIso(value: string): LogicalDateParseResult {
  if (!value.trim()) return {};
  const date = DateTime.fromISO(value);
  if (!date.isValid) {
    return { error: 'Logical date is not a valid date and time' };
  }
  return {
    iso: date.toISO({ suppressMilliseconds: true }) ?? undefined,
  };
}
