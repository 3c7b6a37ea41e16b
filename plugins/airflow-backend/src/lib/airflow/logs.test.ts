import { Readable } from 'node:stream';
import {
  LOG_LINE_MAX_CHARS,
  type AirflowLogLine,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import {
  LogPageBuilder,
  LogSourceHeader,
  structuredLogLine,
  TextLogParser,
} from './logs';
import { newStreamStats, readJsonLogBody, readLines } from './logStream';

/** A stream of the text cut into chunks of `size` bytes (to cross every boundary). */
function chunked(text: string, size: number): Readable {
  const buffer = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) {
    chunks.push(buffer.subarray(i, i + size));
  }
  return Readable.from(chunks);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function line(index: number, message = `line ${index}`): AirflowLogLine {
  return {
    index,
    timestamp: null,
    level: 'info',
    logger: null,
    message,
    group: null,
    error: null,
  };
}

describe('structuredLogLine (Airflow 3)', () => {
  it('reads timestamp, level, logger and message, and prints extra fields as key=value', () => {
    expect(
      structuredLogLine(
        {
          timestamp: '2026-12-01T22:30:54.215386Z',
          level: 'INFO',
          event: 'Fetched ledger entries',
          logger: 'airflow.task',
          filename: 'payments.py',
          lineno: 12,
          rows: 128,
          chan: 'stdout',
        },
        7,
      ),
    ).toEqual({
      index: 7,
      timestamp: '2026-12-01T22:30:54.215386Z',
      level: 'info',
      logger: 'airflow.task',
      message: 'Fetched ledger entries rows=128 chan=stdout',
      group: null,
      error: null,
    });
  });

  it('reads group markers and entries without timestamp', () => {
    expect(
      structuredLogLine({ event: '::group::Log message source details' }, 0),
    ).toMatchObject({
      group: 'start',
      message: 'Log message source details',
      timestamp: null,
      level: null,
    });
    expect(structuredLogLine({ event: '::endgroup::' }, 2)).toMatchObject({
      group: 'end',
      message: '',
    });
  });

  it('picks the raised exception out of error_detail (causes follow it)', () => {
    const entry = {
      timestamp: '2026-12-01T22:40:01.1Z',
      level: 'error',
      event: 'Task failed with exception',
      logger: 'task',
      error_detail: [
        {
          exc_type: 'RuntimeError',
          exc_value:
            "Reconciliation failed on purpose: param/conf 'fail' is true",
          exc_notes: [],
          syntax_error: null,
          is_cause: false,
          frames: [{ filename: '/dags/p.py', lineno: 62, name: 'reconcile' }],
          is_group: false,
          exceptions: [],
        },
        {
          exc_type: 'KeyError',
          exc_value: "'x'",
          is_cause: true,
          frames: [],
        },
      ],
    };
    expect(structuredLogLine(entry, 3)).toMatchObject({
      level: 'error',
      message: 'Task failed with exception',
      error: {
        type: 'RuntimeError',
        message: "Reconciliation failed on purpose: param/conf 'fail' is true",
      },
    });
  });

  it('reads a plain string entry (the schema allows strings) as a text line', () => {
    expect(
      structuredLogLine(
        '[2024-08-28T10:15:30.123+0000] {taskinstance.py:2612} WARNING - careful',
        1,
      ),
    ).toMatchObject({
      timestamp: '2024-08-28T10:15:30.123Z',
      level: 'warning',
      logger: 'taskinstance.py',
      message: 'careful',
    });
  });

  it('cuts an overlong message', () => {
    const l = structuredLogLine({ event: 'x'.repeat(50_000) }, 0);
    expect(l.message).toHaveLength(LOG_LINE_MAX_CHARS);
    expect(l.message.endsWith('…')).toBe(true);
  });
});

describe('TextLogParser (Airflow 2)', () => {
  const text = [
    'worker-1',
    '*** Found local files:',
    '***   * /opt/airflow/logs/dag_id=payments_reconciliation/attempt=1.log',
    '[2024-08-28T10:15:30.123+0000] {taskinstance.py:2612} INFO - ::group::Pre task execution logs',
    '[2024-08-28T10:15:30.200+0000] {taskinstance.py:2614} INFO - Dependencies all met',
    '[2024-08-28T10:15:30.300+0000] {taskinstance.py:2620} INFO - ::endgroup::',
    '[2024-08-28T10:15:32.456+0000] {taskinstance.py:3310} ERROR - Task failed with exception',
    'Traceback (most recent call last):',
    '  File "/opt/airflow/dags/payments_reconciliation.py", line 62, in reconcile',
    '    raise RuntimeError("Reconciliation failed on purpose: param/conf \'fail\' is true")',
    "RuntimeError: Reconciliation failed on purpose: param/conf 'fail' is true",
    '[2024-08-28T10:15:32.470+0000] {taskinstance.py:1225} INFO - Marking task as FAILED.',
  ];

  it('reads prefixed lines, group markers, and the exception ending a traceback', () => {
    const parser = new TextLogParser();
    const lines = text.map((t, i) => parser.line(t, i));
    expect(lines[3]).toMatchObject({
      timestamp: '2024-08-28T10:15:30.123Z',
      level: 'info',
      logger: 'taskinstance.py',
      group: 'start',
      message: 'Pre task execution logs',
    });
    expect(lines[5]).toMatchObject({ group: 'end' });
    expect(lines[6]).toMatchObject({
      level: 'error',
      message: 'Task failed with exception',
      error: null,
    });
    expect(lines[8]).toMatchObject({ error: null, level: null });
    expect(lines[10]).toMatchObject({
      error: {
        type: 'RuntimeError',
        message: "Reconciliation failed on purpose: param/conf 'fail' is true",
      },
    });
    expect(lines.filter(l => l.error)).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'worker-1', timestamp: null });
  });

  it('reads a dotted exception type and one without message; prose after a traceback is not one', () => {
    const parser = new TextLogParser();
    const lines = [
      'Traceback (most recent call last):',
      '  File "x.py", line 1, in <module>',
      'airflow.exceptions.AirflowException: Bash command failed',
      'Traceback (most recent call last):',
      '  File "y.py", line 2, in f',
      'KeyboardInterrupt',
      'Traceback (most recent call last):',
      'During handling of the above exception, another exception occurred:',
    ].map((t, i) => parser.line(t, i));
    expect(lines.map(l => l.error)).toEqual([
      null,
      null,
      {
        type: 'airflow.exceptions.AirflowException',
        message: 'Bash command failed',
      },
      null,
      null,
      { type: 'KeyboardInterrupt', message: '' },
      null,
      null,
    ]);
  });
});

describe('readLines', () => {
  it('splits lines across chunk boundaries, multi-byte characters intact', async () => {
    const text = 'première ligne\r\nzweite Zeile ü\n\nlast without newline';
    for (const size of [1, 2, 3, 7, 1000]) {
      const stats = newStreamStats();
      const pieces = await collect(
        readLines(chunked(text, size), { maxLineBytes: 1000, stats }),
      );
      expect(pieces.map(p => p.text)).toEqual([
        'première ligne',
        'zweite Zeile ü',
        '',
        'last without newline',
      ]);
      expect(stats.bytesRead).toBe(Buffer.byteLength(text));
    }
  });

  it('cuts a line longer than the limit and never holds more of it', async () => {
    const long = 'a'.repeat(100_000);
    const stats = newStreamStats();
    const pieces = await collect(
      readLines(chunked(`${long}\nshort\n`, 4096), {
        maxLineBytes: 1000,
        stats,
      }),
    );
    expect(pieces.map(p => [p.text.length, p.bytes, p.cut])).toEqual([
      [1000, 100_000, true],
      [5, 5, false],
    ]);
    expect(stats.maxHeldBytes).toBeLessThanOrEqual(1000);
  });
});

describe('readJsonLogBody', () => {
  const body = JSON.stringify({
    content: [
      { event: '::group::Log message source details' },
      { event: 'a "quoted" } ] , value', level: 'info', nested: { a: [1, 2] } },
      'a plain string entry',
      42,
      null,
    ],
    continuation_token: 'eyJsb2dfcG9zIjo1fQ.c2lnbmF0dXJl',
  });

  it('yields each entry and the token, whatever the chunking', async () => {
    for (const size of [1, 5, 64, 100_000]) {
      const items = await collect(
        readJsonLogBody(chunked(body, size), {
          maxEntryBytes: 10_000,
          maxFieldBytes: 1000,
        }),
      );
      const entries = items
        .filter(i => i.kind === 'entry')
        .map(i => JSON.parse(i.piece.text));
      expect(entries).toEqual(JSON.parse(body).content);
      const fields = items.filter(i => i.kind === 'field');
      expect(
        fields.map(f => [(f as any).key, JSON.parse(f.piece.text)]),
      ).toEqual([['continuation_token', 'eyJsb2dfcG9zIjo1fQ.c2lnbmF0dXJl']]);
    }
  });

  it('reads the token before the content, a null token, and an empty content list', async () => {
    const items = await collect(
      readJsonLogBody(
        chunked('{ "continuation_token" : null , "content" : [ ] }', 3),
        { maxEntryBytes: 100, maxFieldBytes: 100 },
      ),
    );
    expect(items).toEqual([
      {
        kind: 'field',
        key: 'continuation_token',
        piece: { text: 'null', bytes: 4, cut: false },
      },
    ]);
  });

  it('cuts a huge entry and keeps scanning past it', async () => {
    const huge = JSON.stringify({
      content: [{ event: 'x'.repeat(200_000) }, { event: 'after' }],
      continuation_token: null,
    });
    const stats = newStreamStats();
    const items = await collect(
      readJsonLogBody(chunked(huge, 8192), {
        maxEntryBytes: 1000,
        maxFieldBytes: 100,
        stats,
      }),
    );
    const entries = items.filter(i => i.kind === 'entry');
    expect(entries.map(e => e.piece.cut)).toEqual([true, false]);
    expect(JSON.parse(entries[1].piece.text)).toEqual({ event: 'after' });
    expect(stats.maxHeldBytes).toBeLessThanOrEqual(1000);
  });

  it('refuses a body that is not a JSON object', async () => {
    await expect(
      collect(
        readJsonLogBody(chunked('[1,2]', 2), {
          maxEntryBytes: 10,
          maxFieldBytes: 10,
        }),
      ),
    ).rejects.toThrow('not a JSON object');
    await expect(
      collect(
        readJsonLogBody(chunked('{"content": [1, 2', 2), {
          maxEntryBytes: 10,
          maxFieldBytes: 10,
        }),
      ),
    ).rejects.toThrow('ended before');
  });
});

describe('LogPageBuilder', () => {
  it('skips `offset` lines, then stops at the byte cap without keeping the line that did not fit', () => {
    const builder = new LogPageBuilder({ offset: 10, maxBytes: 1000 });
    let added = 0;
    for (let i = 0; i < 1000; i++) {
      if (!builder.add(line(i))) break;
      added++;
    }
    expect(builder.full).toBe(true);
    const kept = builder.result();
    expect(kept[0].index).toBe(10);
    expect(builder.seen).toBe(10 + kept.length);
    expect(added).toBe(builder.seen);
    expect(builder.keptBytes).toBeLessThanOrEqual(1000);
  });

  it('keeps only the last N lines in tail mode, within the byte cap, and every exception seen', () => {
    const builder = new LogPageBuilder({
      offset: 0,
      maxBytes: 100_000,
      tail: 5,
    });
    for (let i = 0; i < 10_000; i++) {
      const l = line(i);
      if (i === 17) l.error = { type: 'ValueError', message: 'early' };
      builder.add(l);
    }
    expect(builder.result().map(l => l.index)).toEqual([
      9995, 9996, 9997, 9998, 9999,
    ]);
    expect(builder.errors).toEqual([{ type: 'ValueError', message: 'early' }]);
    expect(builder.full).toBe(false);
    expect(builder.seen).toBe(10_000);
    expect(builder.lines.length).toBeLessThan(5 + 64);
  });

  it("counts Airflow's header as one line: a page after it starts after the header, however long it was", () => {
    const read = (headerLines: number, offset: number) => {
      const builder = new LogPageBuilder({ offset, maxBytes: 100_000 });
      for (let i = 0; i < headerLines; i++) {
        builder.add(line(i, `header ${i}`), { header: true });
      }
      for (let i = 0; i < 5; i++)
        builder.add(line(headerLines + i, `task ${i}`));
      return builder;
    };
    const first = read(4, 0);
    expect(first.result().map(l => l.message)).toEqual([
      'header 0',
      'header 1',
      'header 2',
      'header 3',
      'task 0',
      'task 1',
      'task 2',
      'task 3',
      'task 4',
    ]);
    expect(first.seen).toBe(6);
    // The same log read again with a header a line shorter, from the second task line.
    expect(
      read(3, 2)
        .result()
        .map(l => l.message),
    ).toEqual(['task 1', 'task 2', 'task 3', 'task 4']);
    // A header alone is one line read.
    expect(read(0, 0).seen).toBe(5);
    const onlyHeader = new LogPageBuilder({ offset: 1, maxBytes: 100_000 });
    onlyHeader.add(line(0), { header: true });
    onlyHeader.add(line(1), { header: true });
    expect(onlyHeader.result()).toEqual([]);
    expect(onlyHeader.seen).toBe(1);
  });

  it('keeps at least one line even when it is larger than the cap', () => {
    const builder = new LogPageBuilder({ offset: 0, maxBytes: 10 });
    expect(builder.add(line(0, 'x'.repeat(500)))).toBe(true);
    expect(builder.add(line(1))).toBe(false);
    expect(builder.result()).toHaveLength(1);
  });
});

describe('LogSourceHeader', () => {
  const structured = (
    message: string,
    group: AirflowLogLine['group'] = null,
  ): AirflowLogLine => ({ ...line(0, message), group });

  it('Airflow 3: the leading source-details group, up to its end; nothing when the log does not start with it', () => {
    const header = new LogSourceHeader('structured');
    expect(
      [
        structured('Log message source details', 'start'),
        structured('/opt/airflow/logs/attempt=1.log'),
        structured('Could not read served logs: connection refused'),
        structured('', 'end'),
        structured('Pre Execute', 'start'),
        structured('', 'end'),
      ].map(l => header.isHeader(l)),
    ).toEqual([true, true, true, true, false, false]);
    const none = new LogSourceHeader('structured');
    expect(
      [
        structured('Pre Execute', 'start'),
        structured('Log message source details', 'start'),
      ].map(l => none.isHeader(l)),
    ).toEqual([false, false]);
  });

  it('Airflow 2: the host line and the *** lines and source-details markers after it', () => {
    const header = new LogSourceHeader('text');
    const texts = [
      'worker-1',
      ' INFO - ::group::Log message source details',
      '*** Found local files:',
      '***   * /opt/airflow/logs/attempt=1.log',
      ' INFO - ::endgroup::',
      '[2024-08-28T10:15:30.123+0000] {local_task_job_runner.py:123} INFO - ::group::Pre task execution logs',
      '*** not a header line any more',
    ];
    expect(texts.map(t => header.isHeader(line(0, t), t))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
