/**
 * Bounded readers of Airflow's log answers, which can be tens of megabytes:
 * they read a byte stream chunk by chunk and never hold more than one
 * (capped) line or array element plus the chunk being read.
 *
 * - {@link readLines}: newline-separated text (Airflow 3's NDJSON, Airflow 2's
 *   `text/plain` log).
 * - {@link readJsonLogBody}: Airflow 3's JSON answer
 *   `{"content": [entry, …], "continuation_token": "…"}`, element by element.
 */

/** Counts of what a reader read and held. */
export interface StreamStats {
  /** Bytes read from the stream. */
  bytesRead: number;
  /** Most bytes of unfinished line or element held at once. */
  maxHeldBytes: number;
}

/** A new {@link StreamStats}. */
export function newStreamStats(): StreamStats {
  return { bytesRead: 0, maxHeldBytes: 0 };
}

/** One line or element, cut at the reader's byte limit. */
export interface BoundedPiece {
  /** The text (UTF-8), at most the limit's bytes. */
  text: string;
  /** Bytes of the whole line or element in the stream (also when cut). */
  bytes: number;
  /** True when the line or element was longer than the limit and `text` is its start. */
  cut: boolean;
}

/** Appends to a buffer list up to `limit` bytes; returns the bytes kept. */
class CappedBuffer {
  readonly #parts: Buffer[] = [];
  #kept = 0;
  #total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer, start: number, end: number) {
    const length = end - start;
    this.#total += length;
    const room = this.limit - this.#kept;
    if (room <= 0 || length <= 0) return;
    const take = Math.min(room, length);
    // Copy: the chunk itself must not be retained.
    this.#parts.push(Buffer.from(chunk.subarray(start, start + take)));
    this.#kept += take;
  }

  get kept() {
    return this.#kept;
  }

  get total() {
    return this.#total;
  }

  take(): BoundedPiece {
    const buffer = Buffer.concat(this.#parts, this.#kept);
    const piece = {
      text: buffer.toString('utf8'),
      bytes: this.#total,
      cut: this.#total > this.#kept,
    };
    this.#parts.length = 0;
    this.#kept = 0;
    this.#total = 0;
    return piece;
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), 'utf8');
}

/**
 * The lines of a text stream (`\n`-separated, a trailing `\r` dropped), each
 * cut at `maxLineBytes` bytes. A final line without newline is yielded too.
 */
export async function* readLines(
  stream: AsyncIterable<unknown>,
  options: { maxLineBytes: number; stats?: StreamStats },
): AsyncGenerator<BoundedPiece> {
  const stats = options.stats ?? newStreamStats();
  const line = new CappedBuffer(options.maxLineBytes);
  const finish = (): BoundedPiece => {
    const piece = line.take();
    if (piece.text.endsWith('\r')) piece.text = piece.text.slice(0, -1);
    return piece;
  };
  for await (const raw of stream) {
    const chunk = toBuffer(raw);
    stats.bytesRead += chunk.length;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline < 0) {
        line.push(chunk, start, chunk.length);
        stats.maxHeldBytes = Math.max(stats.maxHeldBytes, line.kept);
        break;
      }
      line.push(chunk, start, newline);
      stats.maxHeldBytes = Math.max(stats.maxHeldBytes, line.kept);
      start = newline + 1;
      yield finish();
    }
  }
  if (line.total > 0) yield finish();
}

/** One item of Airflow 3's JSON log answer. */
export type JsonLogBodyItem =
  | { kind: 'entry'; piece: BoundedPiece }
  | { kind: 'field'; key: string; piece: BoundedPiece };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(byte: number) {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * The entries of the `content` array of Airflow 3's JSON log answer, one by
 * one (the raw JSON text of each, cut at `maxEntryBytes`), and the other
 * top-level fields (`continuation_token`) as raw JSON values cut at
 * `maxFieldBytes`. The answer is scanned byte by byte (JSON's structural
 * characters are ASCII, so UTF-8 text passes through untouched).
 *
 * @throws Error when the body is not a JSON object.
 */
export async function* readJsonLogBody(
  stream: AsyncIterable<unknown>,
  options: {
    maxEntryBytes: number;
    maxFieldBytes: number;
    stats?: StreamStats;
  },
): AsyncGenerator<JsonLogBodyItem> {
  const stats = options.stats ?? newStreamStats();
  // Where we are: before the object, in it between members, in a key, after a
  // key, in a top-level value, in the content array between entries, in an entry.
  type Where =
    | 'start'
    | 'members'
    | 'key'
    | 'colon'
    | 'value'
    | 'content'
    | 'entry'
    | 'end';
  let where: Where = 'start';
  const key = new CappedBuffer(256);
  let currentKey = '';
  let piece = new CappedBuffer(options.maxEntryBytes);
  // Inside a value or entry: nesting depth, string state.
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false;

  for await (const raw of stream) {
    const chunk = toBuffer(raw);
    stats.bytesRead += chunk.length;
    let pieceStart = -1;
    // eslint-disable-next-line no-loop-func -- called only within this iteration, for this chunk
    const flushPiece = (end: number) => {
      if (pieceStart >= 0) {
        piece.push(chunk, pieceStart, end);
        stats.maxHeldBytes = Math.max(stats.maxHeldBytes, piece.kept);
      }
      pieceStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      switch (where) {
        case 'start':
          if (isSpace(byte)) continue;
          if (byte !== OPEN_BRACE) {
            throw new Error('the log answer is not a JSON object');
          }
          where = 'members';
          continue;
        case 'members':
          if (isSpace(byte) || byte === COMMA) continue;
          if (byte === CLOSE_BRACE) {
            where = 'end';
            continue;
          }
          if (byte !== QUOTE) {
            throw new Error('the log answer is not a JSON object');
          }
          where = 'key';
          escaped = false;
          continue;
        case 'key':
          if (escaped) {
            escaped = false;
          } else if (byte === BACKSLASH) {
            escaped = true;
          } else if (byte === QUOTE) {
            currentKey = key.take().text;
            where = 'colon';
            continue;
          }
          key.push(chunk, i, i + 1);
          continue;
        case 'colon':
          if (isSpace(byte)) continue;
          if (byte !== COLON) {
            throw new Error('the log answer is not a JSON object');
          }
          where = 'value';
          depth = 0;
          inString = false;
          escaped = false;
          scalar = false;
          piece = new CappedBuffer(options.maxFieldBytes);
          continue;
        case 'value':
        case 'entry': {
          const isEntry: boolean = where === 'entry';
          if (depth === 0 && !inString && !scalar) {
            // Before the value starts.
            if (isSpace(byte)) continue;
            if (!isEntry && currentKey === 'content' && byte === OPEN_BRACKET) {
              where = 'content';
              continue;
            }
          }
          if (pieceStart < 0) pieceStart = i;
          if (inString) {
            if (escaped) escaped = false;
            else if (byte === BACKSLASH) escaped = true;
            else if (byte === QUOTE) {
              inString = false;
              if (depth === 0) {
                // A string value ends here.
                flushPiece(i + 1);
                yield isEntry
                  ? { kind: 'entry', piece: piece.take() }
                  : { kind: 'field', key: currentKey, piece: piece.take() };
                where = isEntry ? 'content' : 'members';
              }
            }
            continue;
          }
          if (byte === QUOTE) {
            inString = true;
            continue;
          }
          if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
            depth++;
            continue;
          }
          if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
            if (depth > 0) {
              depth--;
              if (depth === 0) {
                flushPiece(i + 1);
                yield isEntry
                  ? { kind: 'entry', piece: piece.take() }
                  : { kind: 'field', key: currentKey, piece: piece.take() };
                where = isEntry ? 'content' : 'members';
              }
              continue;
            }
            // The end of the array or object around a scalar.
            flushPiece(i);
            const done = piece.take();
            yield isEntry
              ? { kind: 'entry', piece: done }
              : { kind: 'field', key: currentKey, piece: done };
            scalar = false;
            where = isEntry ? 'members' : 'end';
            continue;
          }
          if (depth === 0 && (byte === COMMA || isSpace(byte))) {
            // The end of a scalar (number, true, false, null).
            flushPiece(i);
            const done = piece.take();
            scalar = false;
            yield isEntry
              ? { kind: 'entry', piece: done }
              : { kind: 'field', key: currentKey, piece: done };
            where = isEntry ? 'content' : 'members';
            continue;
          }
          scalar = depth === 0 ? true : scalar;
          continue;
        }
        case 'content':
          if (isSpace(byte) || byte === COMMA) continue;
          if (byte === CLOSE_BRACKET) {
            where = 'members';
            continue;
          }
          where = 'entry';
          depth = 0;
          inString = false;
          escaped = false;
          scalar = false;
          piece = new CappedBuffer(options.maxEntryBytes);
          i--; // read this byte again as the entry's first
          continue;
        case 'end':
          continue;
        default:
          continue;
      }
    }
    flushPiece(chunk.length);
  }
  if (where !== 'end') {
    throw new Error('the log answer ended before its JSON object did');
  }
}
