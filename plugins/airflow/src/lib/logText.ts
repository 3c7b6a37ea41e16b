import type {
  AirflowLogError,
  AirflowLogLine,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** Levels a log view can be filtered by, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];

/** The log levels a filter offers: every line, or lines of at least a level. */
export type LogLevelFilter = 'all' | 'info' | 'warning' | 'error';

const ANSI = {
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  grey: '\u001b[90m',
  bold: '\u001b[1m',
  reset: '\u001b[0m',
};

function severity(level: string | null): number {
  const i = level ? LOG_LEVELS.indexOf(level) : -1;
  return i;
}

/** Whether a line passes the level filter (lines without level pass every filter but `error`). */
export function passesLevel(
  line: AirflowLogLine,
  filter: LogLevelFilter,
): boolean {
  if (filter === 'all') return true;
  const min = LOG_LEVELS.indexOf(filter);
  const own = severity(line.level);
  if (own < 0) return filter !== 'error' || line.error !== null;
  return own >= min;
}

/** `RuntimeError: message` */
export function errorText(error: AirflowLogError): string {
  return error.message ? `${error.type}: ${error.message}` : error.type;
}

/** `23:02:34` of an ISO date in UTC, or blanks of the same width. */
function timeOf(timestamp: string | null): string {
  if (!timestamp) return '        ';
  return timestamp.slice(11, 19);
}

/**
 * One log line as text for the LogViewer: time (UTC), level, message;
 * errors in red and warnings in yellow (ANSI colours, which the LogViewer
 * renders), group titles in bold, the exception a line reports on the next
 * line.
 */
export function formatLogLine(line: AirflowLogLine): string[] {
  if (line.group === 'end') return [];
  if (line.group === 'start') {
    return [`${ANSI.bold}▸ ${line.message}${ANSI.reset}`];
  }
  const level = line.level ? line.level.toUpperCase().padEnd(8) : ''.padEnd(8);
  let colour = '';
  if (severity(line.level) >= severity('error')) colour = ANSI.red;
  else if (line.level === 'warning') colour = ANSI.yellow;
  const text = `${ANSI.grey}${timeOf(line.timestamp)}${
    ANSI.reset
  } ${colour}${level}${colour ? ANSI.reset : ''} ${line.message}`;
  const out = text.split('\n');
  if (line.error) {
    out.push(`${ANSI.red}    ${errorText(line.error)}${ANSI.reset}`);
  }
  return out;
}

/** The lines as one text for the LogViewer. */
export function logText(
  lines: AirflowLogLine[],
  filter: LogLevelFilter = 'all',
): string {
  const out: string[] = [];
  for (const line of lines) {
    if (passesLevel(line, filter)) out.push(...formatLogLine(line));
  }
  return out.join('\n');
}

/** The lines as plain text (no colours), e.g. for download and copy. */
export function plainLogText(lines: AirflowLogLine[]): string {
  return lines
    .flatMap(line => {
      if (line.group === 'end') return [];
      if (line.group === 'start') return [`::group::${line.message}`];
      const head = [line.timestamp ?? '', line.level?.toUpperCase() ?? '']
        .filter(Boolean)
        .join(' ');
      const main = head ? `${head} ${line.message}` : line.message;
      return line.error ? [main, `    ${errorText(line.error)}`] : [main];
    })
    .join('\n');
}
