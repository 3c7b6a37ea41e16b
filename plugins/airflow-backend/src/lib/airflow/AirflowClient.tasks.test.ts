/**
 * The task instance endpoints of the client: tries, logs (Airflow 3's JSON
 * and NDJSON, Airflow 2's text), state changes and clears, against a fake
 * Airflow whose answers are fixtures valid for the official specs, and whose
 * request bodies are checked against the specs too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import { LOG_PAGE_MAX_BYTES } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { DefaultAirflowClient } from './AirflowClient';
import type { AirflowInstanceConfig, LogReadStats } from './types';
import {
  AIRFLOW_BASE,
  CallLog,
  fixture,
  instanceConfig,
  testLogger,
} from './__testUtils__/fakeAirflow';
import {
  airflowSchemaErrors,
  type AirflowSpecName,
} from './__testUtils__/openapi';

const server = setupServer();
registerMswTestHooks(server);

const DAG = 'payments_reconciliation';
const V2_RUN = 'manual__2026-12-01T11:00:00+00:00';
const V1_RUN = 'manual__2024-08-28T10:15:00+00:00';
const enc = encodeURIComponent;
const BOTH_V2: AirflowSpecName[] = ['v2', 'v2-airflow-3.0.2'];

function createClient(
  apiVersion: 'v1' | 'v2',
  overrides: Partial<AirflowInstanceConfig> = {},
) {
  return DefaultAirflowClient.create({
    config: instanceConfig({ apiVersion, ...overrides }),
    logger: testLogger(),
  });
}

/** `GET /api/v2/version` of a stand-in Airflow 3 of `version`. */
function airflowVersionHandler(version: string) {
  return http.get(`${AIRFLOW_BASE}/api/v2/version`, () =>
    HttpResponse.json({ version, git_version: null }),
  );
}

function fixtureText(relativePath: string): string {
  return fs.readFileSync(
    path.join(__dirname, '__fixtures__', relativePath),
    'utf8',
  );
}

function runBase(version: 'v1' | 'v2', runId: string) {
  return `/api/${version}/dags/${DAG}/dagRuns/${enc(runId)}`;
}

/** The fake's task instance endpoint, answering the fixture with overrides. */
function taskInstanceHandler(
  log: CallLog,
  version: 'v1' | 'v2',
  runId: string,
  overrides: Record<string, unknown> = {},
  suffix = '/taskInstances/reconcile',
) {
  return log.handle('get', `${runBase(version, runId)}${suffix}`, () =>
    HttpResponse.json({
      ...fixture(`${version}/taskInstance.json`),
      ...overrides,
    }),
  );
}

/** An NDJSON log of `count` lines like Airflow 3's. */
function ndjsonLog(count: number): string {
  const lines: string[] = [
    JSON.stringify({
      timestamp: null,
      event: '::group::Log message source details',
    }),
    JSON.stringify({
      timestamp: null,
      event: '/opt/airflow/logs/attempt=1.log',
    }),
    JSON.stringify({ timestamp: null, event: '::endgroup::' }),
  ];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        timestamp: '2026-12-01T23:02:33.622615Z',
        event: `Audited row ${i} of the partition`,
        level: 'info',
        logger: 'task',
        filename: 'audit.py',
        lineno: 10,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('task instances', () => {
  it('v2: lists the tries oldest first, one per try number, with operator names as the UI shows them', async () => {
    const log = new CallLog();
    server.use(
      log.handle(
        'get',
        `${runBase('v2', V2_RUN)}/taskInstances/reconcile/tries`,
        () => {
          const body = fixture('v2/taskInstanceTries.json');
          body.task_instances.reverse();
          return HttpResponse.json(body);
        },
      ),
    );
    const tries = await createClient('v2').listTaskInstanceTries(
      DAG,
      V2_RUN,
      'reconcile',
      -1,
    );
    expect(tries.complete).toBe(true);
    expect(
      tries.tries.map(t => [t.tryNumber, t.state, t.hostname, t.operator]),
    ).toEqual([
      [1, 'failed', 'worker-1', '@task'],
      [2, 'failed', 'worker-1', '@task'],
    ]);
    expect(tries.tries[0].durationSeconds).toBe(5.2);
  });

  it('v2 and v1: a mapped task instance is addressed as …/{task_id}/{map_index}', async () => {
    for (const version of ['v1', 'v2'] as const) {
      const log = new CallLog();
      const runId = version === 'v2' ? V2_RUN : V1_RUN;
      server.use(
        log.handle(
          'get',
          `${runBase(version, runId)}/taskInstances/reconcile/3/tries`,
          () => HttpResponse.json(fixture(`${version}/taskInstanceTries.json`)),
        ),
        taskInstanceHandler(
          log,
          version,
          runId,
          { map_index: 3 },
          '/taskInstances/reconcile/3',
        ),
      );
      const client = createClient(version);
      await client.listTaskInstanceTries(DAG, runId, 'reconcile', 3);
      const ti = await client.getTaskInstance(DAG, runId, 'reconcile', 3);
      expect(ti.mapIndex).toBe(3);
      expect(log.calls.map(c => c.pathAndQuery.split('?')[0])).toEqual([
        `${runBase(version, runId)}/taskInstances/reconcile/3/tries`,
        `${runBase(version, runId)}/taskInstances/reconcile/3`,
      ]);
    }
  });

  it('v1: lists the tries of Airflow 2.10; before 2.10 (no tries endpoint) the current try only, marked incomplete', async () => {
    const log = new CallLog();
    server.use(
      log.handle(
        'get',
        `${runBase('v1', V1_RUN)}/taskInstances/reconcile/tries`,
        () => HttpResponse.json(fixture('v1/taskInstanceTries.json')),
      ),
    );
    const client = createClient('v1');
    const tries = await client.listTaskInstanceTries(
      DAG,
      V1_RUN,
      'reconcile',
      -1,
    );
    expect(tries).toMatchObject({ complete: true });
    expect(tries.tries.map(t => t.tryNumber)).toEqual([1, 2]);

    server.use(
      http.get(
        `${AIRFLOW_BASE}${runBase('v1', V1_RUN)}/taskInstances/reconcile/tries`,
        () => HttpResponse.json(fixture('v1/error404.json'), { status: 404 }),
      ),
      taskInstanceHandler(log, 'v1', V1_RUN),
    );
    const old = await client.listTaskInstanceTries(
      DAG,
      V1_RUN,
      'reconcile',
      -1,
    );
    expect(old.complete).toBe(false);
    expect(old.tries.map(t => [t.tryNumber, t.state])).toEqual([[2, 'failed']]);
  });

  it('answers 404 when neither the tries nor the task instance exist', async () => {
    server.use(
      http.get(
        `${AIRFLOW_BASE}${runBase('v2', V2_RUN)}/taskInstances/nope/tries`,
        () =>
          HttpResponse.json(
            { detail: 'The Task Instance was not found' },
            { status: 404 },
          ),
      ),
      http.get(
        `${AIRFLOW_BASE}${runBase('v2', V2_RUN)}/taskInstances/nope`,
        () =>
          HttpResponse.json(
            { detail: 'The Task Instance was not found' },
            { status: 404 },
          ),
      ),
    );
    await expect(
      createClient('v2').listTaskInstanceTries(DAG, V2_RUN, 'nope', -1),
    ).rejects.toThrow(NotFoundError);
  });

  it('reads the task instances of several runs in one batch call, with bodies valid for both specs', async () => {
    const log = new CallLog();
    const all = fixture('v2/taskInstances.json').task_instances;
    const tis = Array.from({ length: 150 }, (_, i) => ({
      ...all[i % all.length],
      task_id: `task_${String(i % 75).padStart(2, '0')}`,
      map_index: -1,
      dag_run_id: i < 75 ? 'r1' : 'r2',
    }));
    server.use(
      log.handle(
        'post',
        '/api/v2/dags/~/dagRuns/~/taskInstances/list',
        async ({ request }) => {
          const body = (await request.json()) as any;
          const page = tis.slice(
            body.page_offset,
            body.page_offset + Math.min(body.page_limit, 100),
          );
          return HttpResponse.json({
            task_instances: page,
            total_entries: tis.length,
          });
        },
      ),
      log.handle('post', '/api/v1/dags/~/dagRuns/~/taskInstances/list', () =>
        HttpResponse.json({
          task_instances: fixture('v1/taskInstances.json').task_instances,
          total_entries: 4,
        }),
      ),
    );
    const byRun = await createClient('v2').listTaskInstancesOfRuns(DAG, [
      'r1',
      'r2',
    ]);
    expect(byRun.get('r1')).toHaveLength(75);
    expect(byRun.get('r2')).toHaveLength(75);
    const v2Calls = log.to('/api/v2/dags/~/dagRuns/~/taskInstances/list');
    expect(v2Calls).toHaveLength(2);
    for (const call of v2Calls) {
      for (const spec of BOTH_V2) {
        expect(
          airflowSchemaErrors(spec, 'TaskInstancesBatchBody', call.body),
        ).toEqual([]);
      }
    }
    const v1 = await createClient('v1').listTaskInstancesOfRuns(DAG, [
      'manual__2025-03-29T19:48:49.273773+00:00',
    ]);
    expect(v1.get('manual__2025-03-29T19:48:49.273773+00:00')).toHaveLength(4);
    const [v1Call] = log.to('/api/v1/dags/~/dagRuns/~/taskInstances/list');
    expect(
      airflowSchemaErrors('v1', 'ListTaskInstanceForm', v1Call.body),
    ).toEqual([]);
  });
});

describe('readTaskLog', () => {
  const logPath = (version: 'v1' | 'v2', runId: string, tryNumber: number) =>
    `${runBase(version, runId)}/taskInstances/reconcile/logs/${tryNumber}`;

  it('v2, finished try: streams NDJSON, normalizes every entry and picks out the exception', async () => {
    const log = new CallLog();
    server.use(
      taskInstanceHandler(log, 'v2', V2_RUN, {
        state: 'failed',
        try_number: 1,
      }),
      log.handle(
        'get',
        logPath('v2', V2_RUN, 1),
        () =>
          new HttpResponse(fixtureText('v2/taskLog.ndjson'), {
            headers: {
              'Content-Type': 'application/x-ndjson',
              'Airflow-Continuation-Token':
                'eyJkb3dubG9hZF9sb2dzIjpmYWxzZX0.nZ_uqB3MAZFwOBwFX1sCeWz-gGU',
            },
          }),
      ),
    );
    const stats = {} as LogReadStats;
    const page = await createClient('v2').readTaskLog(
      DAG,
      V2_RUN,
      'reconcile',
      {
        mapIndex: -1,
        tryNumber: 1,
        offset: 0,
        stats,
      },
    );
    const [call] = log.to(logPath('v2', V2_RUN, 1));
    expect(call.headers.accept).toBe('application/x-ndjson');
    expect(call.pathAndQuery).toContain('map_index=-1');
    expect(call.pathAndQuery).not.toContain('token=');
    expect(stats.format).toBe('ndjson');
    expect(page.lines).toHaveLength(11);
    expect(page.lines[0]).toMatchObject({
      group: 'start',
      message: 'Log message source details',
    });
    expect(page.lines.find(l => l.error)).toMatchObject({
      level: 'error',
      message: 'Task failed with exception',
      error: {
        type: 'RuntimeError',
        message: "Reconciliation failed on purpose: param/conf 'fail' is true",
      },
    });
    // The task's context (dag_id, ti_id, ...) is not repeated on every line.
    expect(page.lines.some(l => l.message.includes('ti_id='))).toBe(false);
    expect(page.errors).toEqual([
      {
        type: 'RuntimeError',
        message: "Reconciliation failed on purpose: param/conf 'fail' is true",
      },
    ]);
    // The NDJSON header token is Airflow's input echoed, not a position: never forwarded.
    expect(page).toMatchObject({
      endOfLog: true,
      hasMore: false,
      nextToken: null,
      // 11 lines, of which Airflow's header (3 lines naming the log file) counts as one.
      nextOffset: 9,
    });
  });

  it("v2, running try: reads the JSON answer entry by entry and hands out Airflow's continuation token to follow it", async () => {
    const log = new CallLog();
    const body = fixture('v2/taskLog.json');
    server.use(
      airflowVersionHandler('3.3.2'),
      taskInstanceHandler(log, 'v2', V2_RUN, {
        state: 'running',
        try_number: 1,
      }),
      log.handle('get', logPath('v2', V2_RUN, 1), ({ request }) => {
        const token = new URL(request.url).searchParams.get('token');
        if (!token) return HttpResponse.json(body);
        // The follow-up with the token: the new lines, and the end of the log.
        return HttpResponse.json({
          content: [
            {
              timestamp: '2026-12-01T23:02:40Z',
              event: 'one more line',
              level: 'info',
            },
          ],
          continuation_token: null,
        });
      }),
    );
    const client = createClient('v2');
    const first = await client.readTaskLog(DAG, V2_RUN, 'reconcile', {
      mapIndex: -1,
      tryNumber: 1,
      offset: 0,
    });
    expect(log.to(logPath('v2', V2_RUN, 1))[0].headers.accept).toBe(
      'application/json',
    );
    expect(first.lines).toHaveLength(body.content.length);
    expect(first).toMatchObject({
      endOfLog: false,
      hasMore: false,
      nextToken: body.continuation_token,
      nextOffset: 0,
    });
    const next = await client.readTaskLog(DAG, V2_RUN, 'reconcile', {
      mapIndex: -1,
      tryNumber: 1,
      token: first.nextToken!,
      offset: first.nextOffset,
    });
    expect(log.to(logPath('v2', V2_RUN, 1))[1].pathAndQuery).toContain(
      `token=${first.nextToken}`,
    );
    expect(next.lines.map(l => l.message)).toEqual(['one more line']);
    expect(next).toMatchObject({ endOfLog: true, nextToken: null });
  });

  it('v2 before Airflow 3.3, running try: hands out no token (Airflow would re-send the whole log for it); the next read skips the lines already seen', async () => {
    const log = new CallLog();
    const body = fixture('v2/taskLog.json');
    const grown = {
      content: [
        ...body.content,
        {
          timestamp: '2026-12-01T23:02:40Z',
          event: 'one more line',
          level: 'info',
        },
      ],
      continuation_token: 'eyJlbmRfb2ZfbG9nIjpmYWxzZX0.c2lnbmF0dXJl',
    };
    let reads = 0;
    server.use(
      airflowVersionHandler('3.1.8'),
      taskInstanceHandler(log, 'v2', V2_RUN, {
        state: 'running',
        try_number: 1,
      }),
      log.handle('get', logPath('v2', V2_RUN, 1), () =>
        HttpResponse.json(reads++ === 0 ? body : grown),
      ),
    );
    const client = createClient('v2');
    const first = await client.readTaskLog(DAG, V2_RUN, 'reconcile', {
      mapIndex: -1,
      tryNumber: 1,
      offset: 0,
    });
    expect(first).toMatchObject({ endOfLog: false, nextToken: null });
    expect(first.nextOffset).toBeGreaterThan(0);
    const next = await client.readTaskLog(DAG, V2_RUN, 'reconcile', {
      mapIndex: -1,
      tryNumber: 1,
      token: first.nextToken ?? undefined,
      offset: first.nextOffset,
    });
    const reads2 = log.to(logPath('v2', V2_RUN, 1));
    expect(reads2[1].pathAndQuery).not.toContain('token=');
    // Only the line that came after the first read, once.
    expect(next.lines.map(l => l.message)).toEqual(['one more line']);
  });

  it('v2: pages a long log at the byte cap; the next page starts where the previous one stopped', async () => {
    const text = ndjsonLog(6000);
    server.use(
      taskInstanceHandler(new CallLog(), 'v2', V2_RUN, {
        state: 'success',
        try_number: 1,
      }),
      http.get(
        `${AIRFLOW_BASE}${logPath('v2', V2_RUN, 1)}`,
        () =>
          new HttpResponse(text, {
            headers: { 'Content-Type': 'application/x-ndjson' },
          }),
      ),
    );
    const client = createClient('v2');
    const seen: string[] = [];
    let offset = 0;
    let pages = 0;
    const firstIndexes: Array<[number, number]> = [];
    let lastIndex = -1;
    let lastEndOfLog: boolean | undefined;
    for (;;) {
      const page = await client.readTaskLog(DAG, V2_RUN, 'reconcile', {
        mapIndex: -1,
        tryNumber: 1,
        offset,
      });
      pages++;
      expect(JSON.stringify(page).length).toBeLessThan(
        LOG_PAGE_MAX_BYTES + 4096,
      );
      seen.push(...page.lines.map(l => l.message));
      firstIndexes.push([page.lines[0]?.index ?? lastIndex + 1, lastIndex + 1]);
      lastIndex = page.lines[page.lines.length - 1]?.index ?? lastIndex;
      offset = page.nextOffset;
      if (!page.hasMore) {
        lastEndOfLog = page.endOfLog;
        break;
      }
    }
    // Each page starts where the previous one ended; the last one ends the log.
    for (const [index, expected] of firstIndexes) expect(index).toBe(expected);
    expect(lastEndOfLog).toBe(true);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toHaveLength(6003);
    expect(seen[3]).toBe('Audited row 0 of the partition');
    expect(seen[6002]).toBe('Audited row 5999 of the partition');
  });

  it('v2: the tail of a log is its last N lines, with the exceptions of the whole log', async () => {
    const text = `${fixtureText('v2/taskLog.ndjson')}${ndjsonLog(3000)}`;
    server.use(
      taskInstanceHandler(new CallLog(), 'v2', V2_RUN, {
        state: 'failed',
        try_number: 1,
      }),
      http.get(
        `${AIRFLOW_BASE}${logPath('v2', V2_RUN, 1)}`,
        () =>
          new HttpResponse(text, {
            headers: { 'Content-Type': 'application/x-ndjson' },
          }),
      ),
    );
    const page = await createClient('v2').readTaskLog(
      DAG,
      V2_RUN,
      'reconcile',
      {
        mapIndex: -1,
        tryNumber: 1,
        offset: 0,
        tail: 20,
      },
    );
    expect(page.tail).toBe(true);
    expect(page.lines).toHaveLength(20);
    expect(page.lines[19].message).toBe('Audited row 2999 of the partition');
    expect(page.errors.map(e => e.type)).toEqual(['RuntimeError']);
  });

  it('v1: reads the text log, normalizes its lines and picks out the exception ending the traceback', async () => {
    const log = new CallLog();
    server.use(
      taskInstanceHandler(log, 'v1', V1_RUN),
      log.handle(
        'get',
        logPath('v1', V1_RUN, 2),
        () =>
          new HttpResponse(fixtureText('v1/taskLog.txt'), {
            headers: { 'Content-Type': 'text/plain' },
          }),
      ),
    );
    const page = await createClient('v1').readTaskLog(
      DAG,
      V1_RUN,
      'reconcile',
      {
        mapIndex: -1,
        tryNumber: 2,
        offset: 0,
      },
    );
    expect(log.to(logPath('v1', V1_RUN, 2))[0].headers.accept).toBe(
      'text/plain',
    );
    expect(page.errors).toEqual([
      {
        type: 'RuntimeError',
        message: "Reconciliation failed on purpose: param/conf 'fail' is true",
      },
    ]);
    expect(page.lines.find(l => l.group === 'start')?.message).toBe(
      'Pre task execution logs',
    );
    expect(page.lines.find(l => l.level === 'error')?.timestamp).toBe(
      '2024-08-28T10:15:32.456Z',
    );
    expect(page).toMatchObject({
      endOfLog: true,
      hasMore: false,
      nextToken: null,
    });
  });

  it("v1: following a running try's text log loses and repeats no line when Airflow's header changes as the try ends", async () => {
    // While the try runs, Airflow 2 also tries the worker's log server and says so in the
    // header; once it has finished, it reads the log file only: the header is a line shorter.
    const header = (running: boolean) => [
      'worker-1',
      ' INFO - ::group::Log message source details',
      '*** Found local files:',
      '***   * /opt/airflow/logs/attempt=1.log',
      ...(running
        ? [
            "*** Could not read served logs: HTTPConnectionPool(host='worker-1', port=8793): Max retries exceeded",
          ]
        : []),
      ' INFO - ::endgroup::',
    ];
    const taskLines = (count: number) =>
      Array.from(
        { length: count },
        (_, i) =>
          `[2024-08-28T10:15:30.123+0000] {audit.py:10} INFO - Audited row ${i}`,
      );
    let state = 'running';
    let written = 0;
    server.use(
      http.get(
        `${AIRFLOW_BASE}${runBase('v1', V1_RUN)}/taskInstances/reconcile`,
        () =>
          HttpResponse.json({
            ...fixture('v1/taskInstance.json'),
            state,
            try_number: 1,
          }),
      ),
      http.get(
        `${AIRFLOW_BASE}${logPath('v1', V1_RUN, 1)}`,
        () =>
          new HttpResponse(
            `${[...header(state === 'running'), ...taskLines(written)].join(
              '\n',
            )}\n`,
            { headers: { 'Content-Type': 'text/plain' } },
          ),
      ),
    );
    const client = createClient('v1');
    const read = async (offset: number) =>
      client.readTaskLog(DAG, V1_RUN, 'reconcile', {
        mapIndex: -1,
        tryNumber: 1,
        offset,
      });
    const messages: string[] = [];
    written = 5;
    const first = await read(0);
    expect(first.endOfLog).toBe(false);
    // The whole header shows, once, on the first page.
    expect(
      first.lines.filter(l => l.message.startsWith('*** Could not')),
    ).toHaveLength(1);
    messages.push(...first.lines.map(l => l.message));
    written = 8;
    state = 'success';
    const last = await read(first.nextOffset);
    expect(last.endOfLog).toBe(true);
    messages.push(...last.lines.map(l => l.message));
    expect(messages.filter(m => m.startsWith('Audited row'))).toEqual(
      Array.from({ length: 8 }, (_, i) => `Audited row ${i}`),
    );
    expect(messages.filter(m => m.includes('Found local files'))).toHaveLength(
      1,
    );
  });

  it('refuses a token on Airflow 2 (it issues none for text logs) and a try that does not exist, before reading any log', async () => {
    const log = new CallLog();
    server.use(
      taskInstanceHandler(log, 'v1', V1_RUN),
      taskInstanceHandler(log, 'v2', V2_RUN),
    );
    await expect(
      createClient('v1').readTaskLog(DAG, V1_RUN, 'reconcile', {
        mapIndex: -1,
        tryNumber: 1,
        offset: 0,
        token: 'eyJ4IjoxfQ.c2ln',
      }),
    ).rejects.toThrow(InputError);
    await expect(
      createClient('v2').readTaskLog(DAG, V2_RUN, 'reconcile', {
        mapIndex: -1,
        tryNumber: 9,
        offset: 0,
      }),
    ).rejects.toThrow(/has no try 9 \(latest try: 2\)/);
    expect(log.calls.filter(c => c.pathAndQuery.includes('/logs/'))).toEqual(
      [],
    );
  });

  it("maps Airflow's refusal of a forged token (400 Bad Signature) to InputError", async () => {
    server.use(
      airflowVersionHandler('3.3.2'),
      taskInstanceHandler(new CallLog(), 'v2', V2_RUN, {
        state: 'success',
        try_number: 1,
      }),
      http.get(`${AIRFLOW_BASE}${logPath('v2', V2_RUN, 1)}`, () =>
        HttpResponse.json(
          {
            detail:
              'Bad Signature. Please use only the tokens provided by the API.',
          },
          { status: 400 },
        ),
      ),
    );
    await expect(
      createClient('v2').readTaskLog(DAG, V2_RUN, 'reconcile', {
        mapIndex: -1,
        tryNumber: 1,
        offset: 0,
        token: 'eyJsb2dfcG9zIjo1fQ.Zm9yZ2Vk',
      }),
    ).rejects.toThrow(/Bad Signature/);
  });

  it('refuses any token before Airflow 3.3 (the plugin issues none there) with InputError, before reading the log', async () => {
    const log = new CallLog();
    server.use(
      airflowVersionHandler('3.2.2'),
      taskInstanceHandler(log, 'v2', V2_RUN, {
        state: 'running',
        try_number: 1,
      }),
      log.handle('get', logPath('v2', V2_RUN, 1), () =>
        HttpResponse.json({ detail: 'Internal Server Error' }, { status: 500 }),
      ),
    );
    await expect(
      createClient('v2').readTaskLog(DAG, V2_RUN, 'reconcile', {
        mapIndex: -1,
        tryNumber: 1,
        offset: 0,
        token: 'eyJsb2dfcG9zIjo1fQ.Zm9yZ2Vk',
      }),
    ).rejects.toThrow(InputError);
    expect(log.to(logPath('v2', V2_RUN, 1))).toHaveLength(0);
  });
});

describe('state changes and clears', () => {
  it('v2: marks a run failed with PATCH ?update_mask=state and a body valid for both specs', async () => {
    const log = new CallLog();
    server.use(
      log.handle('patch', runBase('v2', V2_RUN), () =>
        HttpResponse.json({
          ...fixture('v2/dagRun.json'),
          dag_id: DAG,
          dag_run_id: V2_RUN,
          state: 'failed',
        }),
      ),
    );
    const run = await createClient('v2').setDagRunState(DAG, V2_RUN, 'failed');
    expect(run.state).toBe('failed');
    const [call] = log.calls;
    expect(call.pathAndQuery).toBe(
      `${runBase('v2', V2_RUN)}?update_mask=state`,
    );
    expect(call.body).toEqual({ state: 'failed' });
    for (const spec of BOTH_V2) {
      expect(airflowSchemaErrors(spec, 'DAGRunPatchBody', call.body)).toEqual(
        [],
      );
    }
  });

  it('v1: marks a run success with a body valid for UpdateDagRunState', async () => {
    const log = new CallLog();
    server.use(
      log.handle('patch', runBase('v1', V1_RUN), () =>
        HttpResponse.json({
          ...fixture('v1/dagRun.json'),
          dag_id: DAG,
          dag_run_id: V1_RUN,
          state: 'success',
        }),
      ),
    );
    await createClient('v1').setDagRunState(DAG, V1_RUN, 'success');
    expect(
      airflowSchemaErrors('v1', 'UpdateDagRunState', log.calls[0].body),
    ).toEqual([]);
  });

  it('v2: marks a task instance with its downstream tasks; a mapped one by its map index', async () => {
    const log = new CallLog();
    const answer = () => HttpResponse.json(fixture('v2/taskInstances.json'));
    server.use(
      log.handle(
        'patch',
        `${runBase('v2', V2_RUN)}/taskInstances/reconcile`,
        answer,
      ),
      log.handle(
        'patch',
        `${runBase('v2', V2_RUN)}/taskInstances/reconcile/3`,
        answer,
      ),
    );
    const client = createClient('v2');
    const change = await client.setTaskInstanceState(DAG, V2_RUN, 'reconcile', {
      mapIndex: -1,
      state: 'success',
      includeUpstream: false,
      includeDownstream: true,
    });
    expect(change.dryRun).toBe(false);
    expect(change.taskInstances[0]).toEqual({
      taskId: 'extract',
      mapIndex: -1,
      state: 'success',
    });
    await client.setTaskInstanceState(DAG, V2_RUN, 'reconcile', {
      mapIndex: 3,
      state: 'failed',
      includeUpstream: false,
      includeDownstream: false,
    });
    expect(log.calls.map(c => c.pathAndQuery)).toEqual([
      `${runBase('v2', V2_RUN)}/taskInstances/reconcile?update_mask=new_state`,
      `${runBase(
        'v2',
        V2_RUN,
      )}/taskInstances/reconcile/3?update_mask=new_state`,
    ]);
    expect(log.calls[0].body).toMatchObject({
      new_state: 'success',
      include_downstream: true,
    });
    for (const call of log.calls) {
      for (const spec of BOTH_V2) {
        expect(
          airflowSchemaErrors(spec, 'PatchTaskInstanceBody', call.body),
        ).toEqual([]);
      }
    }
  });

  it('v1: marks an unmapped task instance through updateTaskInstancesState, a mapped one alone, and refuses downstream for a mapped one', async () => {
    const log = new CallLog();
    server.use(
      log.handle('post', `/api/v1/dags/${DAG}/updateTaskInstancesState`, () =>
        HttpResponse.json(fixture('v1/taskInstanceReferences.json')),
      ),
      log.handle(
        'patch',
        `${runBase('v1', V1_RUN)}/taskInstances/reconcile/2`,
        () =>
          HttpResponse.json(
            fixture('v1/taskInstanceReferences.json').task_instances[0],
          ),
      ),
    );
    const client = createClient('v1');
    const change = await client.setTaskInstanceState(DAG, V1_RUN, 'reconcile', {
      mapIndex: -1,
      state: 'failed',
      includeUpstream: false,
      includeDownstream: true,
    });
    expect(change.taskInstances).toEqual([
      { taskId: 'reconcile', mapIndex: null, state: null },
      { taskId: 'notify_finance', mapIndex: null, state: null },
    ]);
    expect(
      airflowSchemaErrors('v1', 'UpdateTaskInstancesState', log.calls[0].body),
    ).toEqual([]);
    expect(log.calls[0].body).toMatchObject({
      dry_run: false,
      dag_run_id: V1_RUN,
      task_id: 'reconcile',
    });

    const mapped = await client.setTaskInstanceState(DAG, V1_RUN, 'reconcile', {
      mapIndex: 2,
      state: 'success',
      includeUpstream: false,
      includeDownstream: false,
    });
    expect(mapped.taskInstances).toHaveLength(1);
    expect(
      airflowSchemaErrors('v1', 'UpdateTaskInstance', log.calls[1].body),
    ).toEqual([]);

    await expect(
      client.setTaskInstanceState(DAG, V1_RUN, 'reconcile', {
        mapIndex: 2,
        state: 'success',
        includeUpstream: false,
        includeDownstream: true,
      }),
    ).rejects.toMatchObject({
      name: 'AirflowNotSupportedError',
      statusCode: 501,
      message: expect.stringContaining("Airflow instance 'test-airflow'"),
    });
    // Refused before anything reached Airflow.
    expect(log.calls).toHaveLength(2);
  });

  it('v2: previews and clears one task instance (a mapped one as [task_id, map_index]) with bodies valid for both specs', async () => {
    const log = new CallLog();
    server.use(
      log.handle('post', `/api/v2/dags/${DAG}/clearTaskInstances`, () =>
        HttpResponse.json(fixture('v2/taskInstances.json')),
      ),
    );
    const client = createClient('v2');
    const preview = await client.clearTaskInstance(DAG, V2_RUN, 'reconcile', {
      mapIndex: -1,
      dryRun: true,
      onlyFailed: false,
      includeUpstream: false,
      includeDownstream: true,
    });
    expect(preview.dryRun).toBe(true);
    expect(
      preview.taskInstances.map(t => [t.taskId, t.mapIndex, t.state]),
    ).toEqual([
      ['extract', -1, 'success'],
      ['transform', 0, 'success'],
      ['load', -1, 'none'],
    ]);
    await client.clearTaskInstance(DAG, V2_RUN, 'reconcile', {
      mapIndex: 3,
      dryRun: false,
      onlyFailed: true,
      includeUpstream: false,
      includeDownstream: false,
    });
    expect(log.calls.map(c => c.body)).toEqual([
      expect.objectContaining({
        dry_run: true,
        task_ids: ['reconcile'],
        include_downstream: true,
        dag_run_id: V2_RUN,
      }),
      expect.objectContaining({
        dry_run: false,
        only_failed: true,
        task_ids: [['reconcile', 3]],
      }),
    ]);
    for (const call of log.calls) {
      for (const spec of BOTH_V2) {
        expect(
          airflowSchemaErrors(spec, 'ClearTaskInstancesBody', call.body),
        ).toEqual([]);
      }
    }
  });

  it('v1: clears one task with a body valid for ClearTaskInstances', async () => {
    const log = new CallLog();
    server.use(
      log.handle('post', `/api/v1/dags/${DAG}/clearTaskInstances`, () =>
        HttpResponse.json(fixture('v1/taskInstanceReferences.json')),
      ),
    );
    const change = await createClient('v1').clearTaskInstance(
      DAG,
      V1_RUN,
      'reconcile',
      {
        mapIndex: -1,
        dryRun: true,
        onlyFailed: false,
        includeUpstream: true,
        includeDownstream: false,
      },
    );
    expect(change.taskInstances.map(t => t.taskId)).toEqual([
      'reconcile',
      'notify_finance',
    ]);
    expect(
      airflowSchemaErrors('v1', 'ClearTaskInstances', log.calls[0].body),
    ).toEqual([]);
  });
});
