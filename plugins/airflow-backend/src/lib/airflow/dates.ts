import { InputError } from '@backstage/errors';

/**
 * Date handling of the Airflow client: one parser and one UTC formatter for
 * what Airflow sends (`toUtcIso`), what users send (`normalizeLogicalDate`)
 * and what the client makes up (`nowWithMicroseconds`).
 *
 * Airflow stores date-times with microsecond precision and refuses a second
 * DAG run with the same logical date (409), so the sub-second digits are
 * carried as text, never rounded through a JavaScript `Date` (milliseconds).
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|([+-])(\d{2}):?(\d{2}))$/i;

/** A parsed date-time: whole seconds since the epoch in UTC and the fraction digits as written. */
interface ParsedDateTime {
  /** Milliseconds since the epoch, UTC, at a whole second. */
  epochSecondMs: number;
  /** The digits after the decimal point, as written (may be empty). */
  fraction: string;
}

/**
 * Parses an ISO 8601 / RFC 3339 date-time that carries a UTC offset (`Z`,
 * `+02:00`, `+0200`); seconds and fraction are optional. Undefined for
 * anything else, including impossible dates (Feb 30, hour 24).
 */
function parseDateTime(value: string): ParsedDateTime | undefined {
  const match = DATE_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone, sign, oh, om] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(
    Number,
  );
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    Number(oh ?? 0) > 23 ||
    Number(om ?? 0) > 59
  ) {
    return undefined;
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls over (Feb 30 → Mar 2): such dates do not exist.
  if (new Date(local).getUTCDate() !== day) return undefined;
  const offsetMinutes =
    zone.toUpperCase() === 'Z'
      ? 0
      : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return { epochSecondMs: local - offsetMinutes * 60_000, fraction };
}

/**
 * The one UTC format of the plugin: `2025-03-29T19:48:49Z`, or with the
 * given fraction digits `2025-03-29T19:48:49.273773Z`.
 */
export function formatUtc(epochSecondMs: number, fraction = ''): string {
  const whole = new Date(epochSecondMs).toISOString().slice(0, 19);
  return fraction ? `${whole}.${fraction}Z` : `${whole}Z`;
}

/**
 * Normalizes an Airflow timestamp to UTC (`…Z`), keeping the sub-second
 * digits Airflow sent (microseconds included). Airflow sends UTC already
 * (`+00:00` in v1, `Z` in v2); any other offset is converted. Null for
 * missing or unparseable input.
 */
export function toUtcIso(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const parsed = parseDateTime(value);
  return parsed ? formatUtc(parsed.epochSecondMs, parsed.fraction) : null;
}

/**
 * Validates a logical date given by a user (a date-time with a UTC offset)
 * and returns it as UTC with exactly six fraction digits
 * (`2025-03-29T19:48:49.273773Z`), the precision Airflow stores.
 *
 * @throws InputError for naive (offset-less) or impossible dates: Airflow 2
 *   rejects them with 400 (or an HTML 500 on 2.0), Airflow 3 with 422.
 */
export function normalizeLogicalDate(value: string): string {
  const parsed = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (!parsed) {
    throw new InputError(
      `Invalid logical date '${value}': expected an ISO 8601 date-time with a UTC offset, e.g. 2025-03-29T19:48:49Z`,
    );
  }
  return formatUtc(
    parsed.epochSecondMs,
    `${parsed.fraction}000000`.slice(0, 6),
  );
}

/** Now, in UTC with microseconds (the sub-millisecond digits from the high-resolution clock). */
export function nowWithMicroseconds(now: number = Date.now()): string {
  const millis = String(now % 1000).padStart(3, '0');
  const subMillis = String(process.hrtime.bigint() % 1000n).padStart(3, '0');
  return formatUtc(now - (now % 1000), `${millis}${subMillis}`);
}

/** Seconds from `start` to `end` (ISO 8601), never negative; null when either is missing or unparseable. */
export function secondsBetween(
  start: string | null,
  end: string | null,
): number | null {
  if (!start || !end) return null;
  const a = Date.parse(start);
  const b = Date.parse(end);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.max(0, (b - a) / 1000);
}
