/**
 * A DAG's schedule in words. Airflow's own `timetable_description` (both API
 * generations) wins; otherwise the words come from the schedule expression
 * that the dialect read (a cron preset, or a time delta in words).
 */

/** The schedule of one DAG as a dialect reads it from the raw payload. */
export interface ScheduleParts {
  /** The raw schedule expression (cron, preset, timetable summary, delta), or null. */
  expression: string | null;
  /** The expression in words when the dialect knows them, or null. */
  words: string | null;
}

/** Cron presets in words. */
export const CRON_PRESETS: Record<string, string> = {
  '@once': 'Once',
  '@continuous': 'Continuously',
  '@hourly': 'Every hour',
  '@daily': 'Every day at 00:00',
  '@midnight': 'Every day at 00:00',
  '@weekly': 'Every week on Sunday at 00:00',
  '@monthly': 'Every month on day 1 at 00:00',
  '@quarterly': 'Every quarter on day 1 at 00:00',
  '@yearly': 'Every year on January 1 at 00:00',
  '@annually': 'Every year on January 1 at 00:00',
};

/** `timetable_description` of `schedule=None` (Airflow's `NullTimetable`, summary `None`). */
const NULL_TIMETABLE_DESCRIPTION = 'Never, external triggers only';

/** `1 day`, `2 days`. */
export function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A duration in words: `Every hour`, `Every 5 minutes`, `Every 1 day, 6 hours`. */
export function everyDurationInWords(totalSeconds: number): string {
  if (!(totalSeconds > 0)) {
    return 'Continuously';
  }
  const units: Array<[string, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  const parts: string[] = [];
  let rest = Math.round(totalSeconds);
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) {
      parts.push(plural(n, unit));
    }
  }
  if (parts.length === 1 && parts[0].startsWith('1 ')) {
    return `Every ${parts[0].slice(2)}`;
  }
  return `Every ${parts.join(', ')}`;
}

/**
 * The schedule in words and the raw expression, both null for unscheduled
 * (manual-only) DAGs: no expression, the summary `None`, or Airflow's
 * description of the null timetable.
 */
export function scheduleInWords(
  parts: ScheduleParts,
  timetableDescription: string | null | undefined,
): { schedule: string | null; scheduleExpression: string | null } {
  const description = timetableDescription?.trim();
  const expression =
    parts.expression && parts.expression !== 'None' ? parts.expression : null;
  if (expression === null || description === NULL_TIMETABLE_DESCRIPTION) {
    return { schedule: null, scheduleExpression: null };
  }
  return {
    schedule: description || parts.words || expression,
    scheduleExpression: expression,
  };
}
