/**
 * Task logs, normalized: Airflow 3's structured entries (the JSON answer's
 * `content` list and the NDJSON stream carry the same objects) and Airflow
 * 2's text lines become {@link AirflowLogLine}s, and {@link LogPageBuilder}
 * turns a stream of them into one bounded page.
 *
 * Airflow 3 entry: `{"timestamp": "…Z", "event": "…", "level": "info",
 * "logger": "task", "filename": "…", "lineno": 12, …extra}`; an exception
 * carries `error_detail: [{exc_type, exc_value, frames, is_cause, …}]`, the
 * raised exception first. A log also holds group markers
 * (`::group::Title`, `::endgroup::`).
 *
 * Airflow 2 line: `[2024-08-28T10:15:30.123+0000] {taskinstance.py:2612}
 * INFO - message`; a traceback follows its `… ERROR - Task failed with
 * exception` line unprefixed, its last unindented line being
 * `ExceptionType: message`.
 */
import {
  LOG_ERROR_MESSAGE_MAX_CHARS,
  LOG_ERRORS_MAX,
  LOG_LINE_MAX_CHARS,
  type AirflowLogError,
  type AirflowLogLine,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { toUtcIso } from './dates';
import { isPlainObject } from './raw';

/** A timestamp as Airflow 3 sends it, already in the plugin's UTC format. */
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** A log timestamp in the plugin's UTC format with at most microseconds, or null. */
function logTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (UTC_TIMESTAMP.test(value)) return value;
  const iso = toUtcIso(value);
  return iso ? iso.replace(/(\.\d{6})\d+Z$/, '$1Z') : null;
}

const ERROR_MESSAGE_MAX_CHARS = LOG_ERROR_MESSAGE_MAX_CHARS;
const PAGE_ERRORS_MAX = LOG_ERRORS_MAX;

const LEVELS = new Set(['debug', 'info', 'warning', 'error', 'critical']);

function normalizeLevel(level: unknown): string | null {
  if (typeof level !== 'string' || !level) return null;
  const lower = level.toLowerCase();
  if (lower === 'warn') return 'warning';
  if (lower === 'fatal') return 'critical';
  if (lower === 'exception') return 'error';
  return LEVELS.has(lower) ? lower : lower.slice(0, 20);
}

function cut(text: string, max: number = LOG_LINE_MAX_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Splits `::group::Title` / `::endgroup::` markers off a message. */
function groupOf(message: string): {
  group: AirflowLogLine['group'];
  message: string;
} {
  if (message.startsWith('::group::')) {
    return { group: 'start', message: message.slice('::group::'.length) };
  }
  if (message.startsWith('::endgroup::')) {
    return { group: 'end', message: message.slice('::endgroup::'.length) };
  }
  return { group: null, message };
}

/** Fields of a structured entry that are not printed as `key=value`. */
const KNOWN_FIELDS = new Set([
  'timestamp',
  'event',
  'level',
  'logger',
  'filename',
  'lineno',
  'error_detail',
  'exception',
  // The task's context, repeated on every line by Airflow 3.
  'dag_id',
  'task_id',
  'run_id',
  'try_number',
  'map_index',
  'ti_id',
]);

/** The exception of an Airflow 3 entry's `error_detail` (the raised one comes first). */
function errorOfDetail(detail: unknown): AirflowLogError | null {
  const stacks = Array.isArray(detail) ? detail : [detail];
  const raised =
    stacks.find(s => isPlainObject(s) && s.is_cause !== true) ?? stacks[0];
  if (!isPlainObject(raised) || typeof raised.exc_type !== 'string') {
    return null;
  }
  return {
    type: raised.exc_type,
    message: cut(
      typeof raised.exc_value === 'string' ? raised.exc_value : '',
      ERROR_MESSAGE_MAX_CHARS,
    ),
  };
}

function printable(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * One Airflow 3 log entry (a parsed JSON object, or a plain string as the
 * schema also allows) as a line. `index` is its position in the answer.
 */
export function structuredLogLine(
  entry: unknown,
  index: number,
): AirflowLogLine {
  if (!isPlainObject(entry)) {
    const text = typeof entry === 'string' ? entry : printable(entry);
    return { ...parseTextLine(text), index };
  }
  const event = printable(entry.event ?? '');
  const extras = Object.entries(entry)
    .filter(([k, v]) => !KNOWN_FIELDS.has(k) && v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${printable(v)}`);
  const { group, message } = groupOf(event);
  const error =
    'error_detail' in entry ? errorOfDetail(entry.error_detail) : null;
  return {
    index,
    timestamp: logTimestamp(entry.timestamp),
    level: normalizeLevel(entry.level),
    logger: typeof entry.logger === 'string' ? entry.logger : null,
    message: cut(extras.length ? `${message} ${extras.join(' ')}` : message),
    group,
    error,
  };
}

/** `[2024-08-28T10:15:30.123+0000] {taskinstance.py:2612} INFO - message` */
const AIRFLOW2_LINE =
  /^\[(\d{4}-\d{2}-\d{2}[T ,]+\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s*(?:Z|UTC|[+-]\d{2}:?\d{2}))?)\]\s+\{([^}]*)\}\s+([A-Z]+)\s+-\s?(.*)$/s;

let lastTimestamp: { text: string; iso: string | null } | undefined;

/** `2024-08-28T10:15:30.123+0000`, `2024-08-28, 10:15:30 UTC` → ISO UTC, or null. */
function airflow2Timestamp(text: string): string | null {
  if (lastTimestamp?.text === text) return lastTimestamp.iso;
  const iso = convertAirflow2Timestamp(text);
  lastTimestamp = { text, iso };
  return iso;
}

function convertAirflow2Timestamp(text: string): string | null {
  const normalized = text
    .replace(/,\s*/, 'T')
    .replace(' ', 'T')
    .replace(/\s*UTC$/, 'Z')
    .replace(/,(\d+)/, '.$1')
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(normalized)
    ? normalized
    : `${normalized}Z`;
  return logTimestamp(withZone);
}

function parseTextLine(text: string): Omit<AirflowLogLine, 'index'> {
  const match = AIRFLOW2_LINE.exec(text);
  if (!match) {
    const { group, message } = groupOf(text);
    return {
      timestamp: null,
      level: null,
      logger: null,
      message: cut(message),
      group,
      error: null,
    };
  }
  const [, ts, source, level, rest] = match;
  const { group, message } = groupOf(rest);
  return {
    timestamp: airflow2Timestamp(ts),
    level: normalizeLevel(level),
    logger: source.replace(/:\d+$/, '') || null,
    message: cut(message),
    group,
    error: null,
  };
}

/** `RuntimeError: message`, `airflow.exceptions.AirflowException: message`, `KeyboardInterrupt`. */
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/s;

/**
 * Airflow 2's text log, line by line. Stateful: the exception ending a
 * traceback is set as the `error` of its line.
 */
export class TextLogParser {
  #inTraceback = false;

  line(text: string, index: number): AirflowLogLine {
    const parsed = parseTextLine(text);
    const line: AirflowLogLine = { ...parsed, index };
    if (parsed.timestamp !== null) {
      // A prefixed line ends any traceback.
      this.#inTraceback = false;
    }
    if (/^Traceback \(most recent call last\):/.test(text)) {
      this.#inTraceback = true;
      return line;
    }
    if (this.#inTraceback && parsed.timestamp === null) {
      if (/^\s/.test(text) || text === '') return line;
      const exception = EXCEPTION_LINE.exec(text);
      if (exception) {
        line.error = {
          type: exception[1],
          message: cut(exception[2] ?? '', ERROR_MESSAGE_MAX_CHARS),
        };
        this.#inTraceback = false;
      }
    }
    return line;
  }
}

// eslint-disable-next-line no-control-regex -- JSON escaping is about control characters
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** Bytes of a string as a JSON string literal. */
function jsonStringBytes(text: string): number {
  return NEEDS_ESCAPE.test(text)
    ? Buffer.byteLength(JSON.stringify(text))
    : Buffer.byteLength(text) + 2;
}

/** Size of a line in the backend's JSON answer, in bytes (with its separating comma). */
function sizeOf(line: AirflowLogLine): number {
  // {"index":,"timestamp":,"level":,"logger":,"message":,"group":,"error":}, plus null/number values
  let size = 80 + 12 + 3 * 4;
  size += line.timestamp ? line.timestamp.length + 2 : 4;
  size += line.level ? jsonStringBytes(line.level) : 4;
  size += line.logger ? jsonStringBytes(line.logger) : 4;
  size += jsonStringBytes(line.message);
  size += line.group ? line.group.length + 2 : 4;
  size += line.error
    ? 20 +
      jsonStringBytes(line.error.type) +
      jsonStringBytes(line.error.message)
    : 4;
  return size;
}

const SOURCE_DETAILS = /^Log message source details$/;
/** Airflow 2.11's markers around the source details, e.g. ` INFO - ::group::Log message source details`. */
const SOURCE_DETAILS_MARKER =
  /::(?:group::Log message source details|endgroup::)\s*$/;

/**
 * Recognises the header Airflow puts before a task's log when it reads it:
 * the host and the files it read the log from, and the sources it could
 * not read (`*** Could not read served logs: ...`). The header of a running
 * try differs from the one of the same try once finished (served from the
 * worker, then from the log folder or remote storage), so it must not count
 * as lines of the log: a follow that read 3000 lines of a running try would
 * otherwise skip a line, or read one twice, once the try has finished.
 *
 * - Airflow 3 (structured): the `::group::Log message source details` group
 *   the log starts with, up to its `::endgroup::`.
 * - Airflow 2 (text): the first line (the host; Airflow 2 always writes it)
 *   and the lines after it that start with `***` or are the source-details
 *   group markers.
 *
 * Feed it the lines of one read in order, from the start of the read.
 */
export class LogSourceHeader {
  #state: 'start' | 'group' | 'host' | 'done' = 'start';

  constructor(private readonly format: 'structured' | 'text') {}

  /** Whether `line` (the next line of the read; `text` is its raw text for Airflow 2) belongs to the header. */
  isHeader(line: AirflowLogLine, text?: string): boolean {
    switch (this.#state) {
      case 'start':
        if (this.format === 'text') {
          this.#state = 'host';
          return true;
        }
        if (line.group === 'start' && SOURCE_DETAILS.test(line.message)) {
          this.#state = 'group';
          return true;
        }
        this.#state = 'done';
        return false;
      case 'group':
        if (line.group === 'end') this.#state = 'done';
        return true;
      case 'host':
        if (
          /^\*\*\*/.test(text ?? line.message) ||
          SOURCE_DETAILS_MARKER.test(text ?? line.message)
        ) {
          return true;
        }
        this.#state = 'done';
        return false;
      default:
        return false;
    }
  }
}

/**
 * Collects one page of a log from its lines in order: skips the first
 * `offset` lines, then keeps lines until `maxBytes` of answer would be
 * exceeded (`full`), or — in tail mode — keeps only the last `tail` lines
 * (and at most `maxBytes`, the oldest dropped first). Exceptions are
 * collected from every line read, skipped or kept (the last
 * {@link PAGE_ERRORS_MAX}).
 *
 * Airflow's header ({@link LogSourceHeader}) counts as one line, however
 * many lines it has: `offset` and `seen` count it once.
 */
export class LogPageBuilder {
  readonly lines: AirflowLogLine[] = [];
  readonly errors: AirflowLogError[] = [];
  /** Lines seen, skipped ones included. */
  seen = 0;
  /** Bytes of the lines kept. */
  keptBytes = 0;
  /** Most bytes of kept lines at any time. */
  maxKeptBytes = 0;
  /** True once a line did not fit (not in tail mode). */
  full = false;
  #tailStart = 0;
  readonly #sizes: number[] = [];
  #headerCounted = false;

  constructor(
    private readonly options: {
      offset: number;
      maxBytes: number;
      /** Keep the last `tail` lines instead of the first. */
      tail?: number;
    },
  ) {}

  /**
   * Adds the next line; false when the page is full and reading can stop
   * (the line was not kept).
   */
  add(line: AirflowLogLine, options: { header?: boolean } = {}): boolean {
    if (line.error) {
      this.errors.push(line.error);
      if (this.errors.length > PAGE_ERRORS_MAX) this.errors.shift();
    }
    // The header's lines share the position of its first line.
    const counted = !options.header || !this.#headerCounted;
    if (options.header) this.#headerCounted = true;
    const position = counted ? this.seen : this.seen - 1;
    if (counted) this.seen++;
    if (position < this.options.offset) return true;
    const size = sizeOf(line);
    const { tail, maxBytes } = this.options;
    if (tail === undefined) {
      if (this.keptBytes + size > maxBytes && this.lines.length > 0) {
        this.full = true;
        if (counted) this.seen--;
        return false;
      }
      this.lines.push(line);
      this.keptBytes += size;
    } else {
      this.lines.push(line);
      this.#sizes.push(size);
      this.keptBytes += size;
      // Drop from the front in batches (shift() on every line is quadratic).
      while (
        this.lines.length - this.#tailStart > tail ||
        (this.keptBytes > maxBytes && this.lines.length - this.#tailStart > 1)
      ) {
        this.keptBytes -= this.#sizes[this.#tailStart];
        this.#tailStart++;
      }
      if (this.#tailStart >= 64) {
        this.lines.splice(0, this.#tailStart);
        this.#sizes.splice(0, this.#tailStart);
        this.#tailStart = 0;
      }
    }
    this.maxKeptBytes = Math.max(this.maxKeptBytes, this.keptBytes);
    return true;
  }

  /** The kept lines. */
  result(): AirflowLogLine[] {
    return this.#tailStart > 0 ? this.lines.slice(this.#tailStart) : this.lines;
  }
}
