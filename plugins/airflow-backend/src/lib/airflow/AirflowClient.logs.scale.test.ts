/**
 * A 50 MB task log never sits whole in the backend: a stand-in Airflow on
 * 127.0.0.1 generates the log as it sends it (it never holds it either) and
 * counts the bytes it wrote; the client's own counters say what it read and
 * held. Prints the figures (README, "Task logs").
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  LOG_LINE_MAX_CHARS,
  LOG_PAGE_MAX_BYTES,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { DefaultAirflowClient } from './AirflowClient';
import type { LogReadStats } from './types';
import { testLogger } from './__testUtils__/fakeAirflow';

const LOG_BYTES = 50 * 1024 * 1024;
const MB = 1024 * 1024;

type Format = 'ndjson' | 'json' | 'text';

/** One generated line of the given format (about 200 bytes). */
function lineOf(format: Format, i: number): string {
  const message = `Audited row ${i} of partition 2026-12-01: checksum ${(
    i * 2654435761
  ).toString(16)} ok`;
  if (format === 'text') {
    return `[2026-12-01T23:02:33.622+0000] {audit.py:10} INFO - ${message}`;
  }
  return JSON.stringify({
    timestamp: '2026-12-01T23:02:33.622615Z',
    event: message,
    level: 'info',
    logger: 'task',
    filename: 'audit.py',
    lineno: 10,
  });
}

interface Served {
  /** Bytes the stand-in wrote to the socket for the log request. */
  bytesSent: number;
  /** True when the client closed the connection before the log ended. */
  cutShort: boolean;
}

/** A stand-in Airflow serving a generated log of LOG_BYTES, for both API versions. */
async function standIn(state: 'success' | 'running') {
  const served: Served[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.includes('/logs/')) {
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          task_id: 'audit',
          map_index: -1,
          state,
          try_number: 1,
        }),
      );
      return;
    }
    const accept = req.headers.accept ?? '';
    let format: Format = 'json';
    if (accept.includes('ndjson')) format = 'ndjson';
    else if (accept.includes('text/plain')) format = 'text';
    const record: Served = { bytesSent: 0, cutShort: false };
    served.push(record);
    res.setHeader(
      'Content-Type',
      {
        ndjson: 'application/x-ndjson',
        json: 'application/json',
        text: 'text/plain',
      }[format],
    );
    let i = 0;
    let sent = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      record.bytesSent = res.socket?.bytesWritten ?? sent;
      record.cutShort = sent < LOG_BYTES;
    });
    const open = format === 'json' ? '{"content":[' : '';
    const close = format === 'json' ? '],"continuation_token":null}' : '';
    res.write(open);
    const pump = () => {
      while (!closed) {
        if (sent >= LOG_BYTES) {
          res.end(close);
          return;
        }
        const parts: string[] = [];
        let size = 0;
        while (size < 64 * 1024 && sent + size < LOG_BYTES) {
          const l = lineOf(format, i);
          const jsonPiece = i === 0 ? l : `,${l}`;
          const piece = format === 'json' ? jsonPiece : `${l}\n`;
          parts.push(piece);
          size += Buffer.byteLength(piece);
          i++;
        }
        sent += size;
        if (!res.write(parts.join(''))) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    served,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function client(baseUrl: string, apiVersion: 'v1' | 'v2') {
  return DefaultAirflowClient.create({
    config: {
      name: 'standin',
      baseUrl,
      webUiUrl: baseUrl,
      apiVersion,
      auth: { type: 'none' },
      timeoutMs: 20_000,
    },
    logger: testLogger(),
  });
}

const figures: string[] = [];

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`task log of 50 MB:\n${figures.join('\n')}`);
});

jest.setTimeout(180_000);

describe('a 50 MB task log', () => {
  it.each([
    ['Airflow 3, finished try (NDJSON)', 'v2', 'success'],
    ['Airflow 3, running try (JSON with token)', 'v2', 'running'],
    ['Airflow 2 (text)', 'v1', 'success'],
  ] as const)(
    "%s: one page reads about the byte cap of Airflow's answer, holds at most one line of it, and answers at most the cap",
    async (name, version, state) => {
      const airflow = await standIn(state);
      try {
        const stats = {} as LogReadStats;
        const page = await client(airflow.baseUrl, version).readTaskLog(
          'audit_dag',
          'run_1',
          'audit',
          { mapIndex: -1, tryNumber: 1, offset: 0, stats },
        );
        const answerBytes = Buffer.byteLength(JSON.stringify(page));
        await new Promise(resolve => setTimeout(resolve, 200));
        const [served] = airflow.served;
        figures.push(
          `  ${name}, first page: ${page.lines.length} lines, answer ${(
            answerBytes / 1024
          ).toFixed(0)} KiB, ` +
            `read ${(stats.bytesRead / MB).toFixed(
              2,
            )} MB of 50 MB, stand-in sent ${(served.bytesSent / MB).toFixed(
              2,
            )} MB, ` +
            `held at most ${
              stats.maxHeldStreamBytes
            } B of an unfinished line and ${(stats.maxKeptBytes / 1024).toFixed(
              0,
            )} KiB of lines`,
        );
        expect(page.hasMore).toBe(true);
        expect(stats.aborted).toBe(true);
        expect(answerBytes).toBeLessThanOrEqual(LOG_PAGE_MAX_BYTES + 1024);
        expect(stats.maxKeptBytes).toBeLessThanOrEqual(LOG_PAGE_MAX_BYTES);
        expect(stats.maxHeldStreamBytes).toBeLessThanOrEqual(
          LOG_LINE_MAX_CHARS * 4 + 4096,
        );
        // Read: the page plus what was in flight (socket buffers), far from 50 MB.
        expect(stats.bytesRead).toBeLessThan(8 * MB);
        expect(served.cutShort).toBe(true);
        expect(served.bytesSent).toBeLessThan(16 * MB);
      } finally {
        await airflow.close();
      }
    },
  );

  it.each([
    ['Airflow 3 (NDJSON)', 'v2', 'success'],
    ['Airflow 2 (text)', 'v1', 'success'],
  ] as const)(
    '%s: the tail (last 100 lines) reads the whole log as a stream and holds only those lines',
    async (name, version, state) => {
      const airflow = await standIn(state);
      try {
        const stats = {} as LogReadStats;
        const rssBefore = process.memoryUsage().rss;
        const page = await client(airflow.baseUrl, version).readTaskLog(
          'audit_dag',
          'run_1',
          'audit',
          { mapIndex: -1, tryNumber: 1, offset: 0, tail: 100, stats },
        );
        const rssGrowth = process.memoryUsage().rss - rssBefore;
        const answerBytes = Buffer.byteLength(JSON.stringify(page));
        figures.push(
          `  ${name}, tail of 100 lines: read ${(stats.bytesRead / MB).toFixed(
            2,
          )} MB, answer ${(answerBytes / 1024).toFixed(0)} KiB, ` +
            `held at most ${
              stats.maxHeldStreamBytes
            } B of an unfinished line and ${(stats.maxKeptBytes / 1024).toFixed(
              0,
            )} KiB of lines ` +
            `(process RSS grew ${(rssGrowth / MB).toFixed(
              1,
            )} MB, not asserted)`,
        );
        expect(page.lines).toHaveLength(100);
        expect(page.tail).toBe(true);
        expect(stats.bytesRead).toBeGreaterThanOrEqual(LOG_BYTES);
        expect(stats.aborted).toBe(false);
        expect(stats.maxKeptBytes).toBeLessThan(64 * 1024);
        expect(stats.maxHeldStreamBytes).toBeLessThanOrEqual(
          LOG_LINE_MAX_CHARS * 4 + 4096,
        );
        expect(answerBytes).toBeLessThan(64 * 1024);
      } finally {
        await airflow.close();
      }
    },
  );
});
