import net from 'node:net';
import { setupServer } from 'msw/node';
import { delay, http, HttpResponse, passthrough } from 'msw';
import { registerMswTestHooks } from '@backstage/backend-test-utils';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { RUN_ID_PATTERN as AIRFLOW_RUN_ID_PATTERN } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { AirflowAuthenticationError, AirflowPermissionError } from './errors';
import {
  BATCH_RUNS_PAGE_LIMIT,
  DagRunExistsError,
  DefaultAirflowClient,
} from './AirflowClient';
import { normalizeLogicalDate, nowWithMicroseconds } from './dates';
import { encodePath } from './paths';
import type { AirflowInstanceConfig } from './types';
import {
  AIRFLOW_BASE,
  CallLog,
  fakeDags,
  fixture,
  instanceConfig,
  makeJwt,
  pagedDagsHandler,
  testLogger,
  versionHandlers,
} from './__testUtils__/fakeAirflow';
import { airflowSchemaErrors } from './__testUtils__/openapi';

const server = setupServer();
registerMswTestHooks(server);

function createClient(overrides: Partial<AirflowInstanceConfig> = {}) {
  return DefaultAirflowClient.create({
    config: instanceConfig(overrides),
    logger: testLogger(),
  });
}

const RUN_ID = 'manual__2025-03-29T19:48:49.273773+00:00';
const ENCODED_RUN_ID = 'manual__2025-03-29T19%3A48%3A49.273773%2B00%3A00';
const DAG_ID = 'ml.feature-store-refresh';

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>(resolve => srv.close(() => resolve()));
  return port;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('DefaultAirflowClient', () => {
  describe('version detection', () => {
    it('detects Airflow 3 from /api/v2/version once and reuses the result', async () => {
      const log = new CallLog();
      server.use(
        ...versionHandlers('v2', log),
        pagedDagsHandler(log, 'v2', fakeDags('v2', 2), { cap: 50 }),
      );
      const client = createClient();
      await expect(
        Promise.all([client.getApiVersion(), client.getApiVersion()]),
      ).resolves.toEqual(['v2', 'v2']);
      await client.listDags();
      await expect(client.getApiVersion()).resolves.toBe('v2');
      expect(log.to('/api/v2/version')).toHaveLength(1);
      expect(log.to('/api/v1/version')).toHaveLength(0);
      expect(log.to('/api/v2/dags')).toHaveLength(1);
    });

    it('falls back to /api/v1/version, sent with credentials, when /api/v2/version is missing', async () => {
      const log = new CallLog();
      server.use(...versionHandlers('v1', log));
      const client = createClient({
        auth: { type: 'password', username: 'admin', password: 'secret' },
      });
      await expect(client.getApiVersion()).resolves.toBe('v1');
      const [probe] = log.to('/api/v1/version');
      expect(probe.headers.authorization).toBe(
        `Basic ${Buffer.from('admin:secret').toString('base64')}`,
      );
      expect(
        log.to('/api/v2/version')[0].headers.authorization,
      ).toBeUndefined();
    });

    it('recognises Airflow 2 even when it refuses the credentials on /api/v1/version', async () => {
      server.use(
        http.get(
          `${AIRFLOW_BASE}/api/v2/version`,
          () => new HttpResponse('Not Found', { status: 404 }),
        ),
        http.get(`${AIRFLOW_BASE}/api/v1/version`, () =>
          HttpResponse.json(fixture('v1/error401.json'), { status: 401 }),
        ),
      );
      await expect(createClient().getApiVersion()).resolves.toBe('v1');
    });

    it('does not cache a failed detection: the next call detects again', async () => {
      let attempts = 0;
      server.use(
        http.get(`${AIRFLOW_BASE}/api/v2/version`, () => {
          attempts++;
          return attempts === 1
            ? HttpResponse.error()
            : HttpResponse.json(fixture('v2/version.json'));
        }),
      );
      const client = createClient();
      await expect(client.getApiVersion()).rejects.toThrow(
        ServiceUnavailableError,
      );
      await expect(client.getApiVersion()).resolves.toBe('v2');
      await expect(client.getApiVersion()).resolves.toBe('v2');
      expect(attempts).toBe(2);
    });

    it('reports an instance that is neither Airflow 2 nor 3 with both probe results', async () => {
      server.use(
        http.get(
          `${AIRFLOW_BASE}/api/v2/version`,
          () => new HttpResponse('nope', { status: 404 }),
        ),
        http.get(
          `${AIRFLOW_BASE}/api/v1/version`,
          () => new HttpResponse('nope', { status: 404 }),
        ),
      );
      const error = await createClient()
        .getApiVersion()
        .catch(e => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toMatch(
        /'test-airflow' answers neither as Airflow 3 nor as Airflow 2/,
      );
      expect(error.message).toMatch(/GET \/api\/v2\/version → 404/);
    });

    it('uses a configured API version without probing', async () => {
      const log = new CallLog();
      server.use(
        ...versionHandlers('v2', log),
        pagedDagsHandler(log, 'v1', fakeDags('v1', 1), { cap: 100 }),
      );
      const client = createClient({ apiVersion: 'v1' });
      await client.listDags();
      expect(log.to('/api/v2/version')).toHaveLength(0);
      expect(log.to('/api/v1/version')).toHaveLength(0);
      expect(log.to('/api/v1/dags')).toHaveLength(1);
    });
  });

  describe('authentication', () => {
    const password = {
      type: 'password' as const,
      username: 'admin',
      password: 'admin',
    };

    /** Fake `/auth/token` issuing `tokens` in order (the last one repeats). */
    function tokenEndpoint(log: CallLog, tokens: string[]) {
      let n = 0;
      return log.handle('post', '/auth/token', () =>
        HttpResponse.json(
          { access_token: tokens[Math.min(n++, tokens.length - 1)] },
          { status: 201 },
        ),
      );
    }

    /** `GET /api/v2/dags` accepting only `valid` tokens; others get `reject`. */
    function dagsAccepting(
      log: CallLog,
      valid: string[],
      reject: { status: number; detail: string },
    ) {
      return log.handle('get', '/api/v2/dags', ({ request }) => {
        const token = request.headers
          .get('authorization')
          ?.replace(/^Bearer /, '');
        if (!token || !valid.includes(token)) {
          return HttpResponse.json(
            { detail: reject.detail },
            { status: reject.status },
          );
        }
        return HttpResponse.json(fixture('v2/dags.json'));
      });
    }

    it('logs in once for a JWT (shared by concurrent callers) and reuses it for every call', async () => {
      const log = new CallLog();
      const now = Math.floor(Date.now() / 1000);
      const token = makeJwt({ sub: 'admin', iat: now, exp: now + 86400 });
      server.use(
        tokenEndpoint(log, [token]),
        dagsAccepting(log, [token], {
          status: 401,
          detail: 'Not authenticated',
        }),
      );
      const client = createClient({ apiVersion: 'v2', auth: password });
      await Promise.all([
        client.listDags(),
        client.listDags(),
        client.listDags(),
      ]);
      await client.listDags();
      await client.listDags();
      const [login] = log.to('/auth/token');
      expect(log.to('/auth/token')).toHaveLength(1);
      expect(login.body).toEqual({ username: 'admin', password: 'admin' });
      expect(login.headers['content-type']).toMatch(/application\/json/);
      const calls = log.to('/api/v2/dags');
      expect(calls).toHaveLength(5);
      expect(
        calls.every(c => c.headers.authorization === `Bearer ${token}`),
      ).toBe(true);
    });

    it('renews the JWT shortly (60 s) before its exp, not earlier', async () => {
      const log = new CallLog();
      const t0 = Date.now();
      const iat = Math.floor(t0 / 1000);
      const first = makeJwt({ sub: 'admin', iat, exp: iat + 3600 });
      const second = makeJwt({
        sub: 'admin',
        iat: iat + 3540,
        exp: iat + 7200,
      });
      server.use(
        tokenEndpoint(log, [first, second]),
        dagsAccepting(log, [first, second], {
          status: 401,
          detail: 'Token Expired',
        }),
      );
      const client = createClient({ apiVersion: 'v2', auth: password });
      const clock = jest.spyOn(Date, 'now');

      clock.mockReturnValue(t0);
      await client.listDags();
      clock.mockReturnValue((iat + 3600 - 61) * 1000);
      await client.listDags();
      expect(log.to('/auth/token')).toHaveLength(1);

      clock.mockReturnValue((iat + 3600 - 59) * 1000);
      await client.listDags();
      expect(log.to('/auth/token')).toHaveLength(2);
      expect(log.to('/api/v2/dags').map(c => c.headers.authorization)).toEqual([
        `Bearer ${first}`,
        `Bearer ${first}`,
        `Bearer ${second}`,
      ]);
    });

    it("keeps a token whose exp looks past because Airflow's clock runs two hours behind", async () => {
      const log = new CallLog();
      const airflowNow = Math.floor(Date.now() / 1000) - 7200;
      const token = makeJwt({
        sub: 'admin',
        iat: airflowNow,
        exp: airflowNow + 3600,
      });
      server.use(
        tokenEndpoint(log, [token]),
        dagsAccepting(log, [token], { status: 401, detail: 'Token Expired' }),
      );
      const client = createClient({ apiVersion: 'v2', auth: password });
      await client.listDags();
      await client.listDags();
      await client.listDags();
      expect(log.to('/auth/token')).toHaveLength(1);
    });

    it.each([
      [401, 'Token Expired'],
      [403, 'Invalid JWT token'],
    ])(
      'logs in again once and retries the call when Airflow answers %s %s',
      async (status, detail) => {
        const log = new CallLog();
        const stale = makeJwt({
          sub: 'admin',
          exp: Math.floor(Date.now() / 1000) + 86400,
        });
        const fresh = makeJwt({
          sub: 'admin',
          exp: Math.floor(Date.now() / 1000) + 86401,
        });
        server.use(
          tokenEndpoint(log, [stale, fresh]),
          dagsAccepting(log, [fresh], { status, detail }),
        );
        const client = createClient({ apiVersion: 'v2', auth: password });
        const dags = await client.listDags();
        expect(dags.map(d => d.dagId)).toEqual([
          'ml.feature-store-refresh',
          'orders-hourly',
          'reports_ñ_export',
        ]);
        expect(log.to('/auth/token')).toHaveLength(2);
        expect(
          log.to('/api/v2/dags').map(c => c.headers.authorization),
        ).toEqual([`Bearer ${stale}`, `Bearer ${fresh}`]);
        // The renewed token is cached: no further login.
        await client.listDags();
        expect(log.to('/auth/token')).toHaveLength(2);
      },
    );

    it('retries only once when Airflow keeps rejecting the token, then reports rejected credentials', async () => {
      const log = new CallLog();
      server.use(
        tokenEndpoint(log, [
          makeJwt({ n: 1 }),
          makeJwt({ n: 2 }),
          makeJwt({ n: 3 }),
        ]),
        dagsAccepting(log, [], { status: 401, detail: 'Token Expired' }),
      );
      const error = await createClient({ apiVersion: 'v2', auth: password })
        .listDags()
        .catch(e => e);
      expect(error).toBeInstanceOf(AirflowAuthenticationError);
      expect(error.statusCode).toBe(503);
      expect(error.message).toBe(
        "Airflow instance 'test-airflow' rejected the configured credentials (authentication failed): Token Expired",
      );
      expect(log.to('/auth/token')).toHaveLength(2);
      expect(log.to('/api/v2/dags')).toHaveLength(2);
    });

    it('reports a 403 Invalid JWT token that survives a re-login as a server misconfiguration', async () => {
      const log = new CallLog();
      server.use(
        tokenEndpoint(log, [makeJwt({ n: 1 }), makeJwt({ n: 2 })]),
        dagsAccepting(log, [], { status: 403, detail: 'Invalid JWT token' }),
      );
      const error = await createClient({ apiVersion: 'v2', auth: password })
        .listDags()
        .catch(e => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toMatch(/jwt_secret/);
      expect(log.to('/api/v2/dags')).toHaveLength(2);
    });

    it('maps 403 Forbidden (the Airflow account lacks a permission) to AirflowPermissionError, not a Backstage denial, without logging in again', async () => {
      const log = new CallLog();
      server.use(
        tokenEndpoint(log, [makeJwt({ n: 1 })]),
        dagsAccepting(log, [], { status: 403, detail: 'Forbidden' }),
      );
      const error = await createClient({ apiVersion: 'v2', auth: password })
        .listDags()
        .catch(e => e);
      expect(error).toBeInstanceOf(AirflowPermissionError);
      expect(error).not.toBeInstanceOf(NotAllowedError);
      expect(error.name).toBe('AirflowPermissionError');
      expect(error.statusCode).toBe(403);
      expect(error.message).toBe(
        "The Airflow account of instance 'test-airflow' lacks the permission for GET /dags: Forbidden",
      );
      expect(log.to('/auth/token')).toHaveLength(1);
      expect(log.to('/api/v2/dags')).toHaveLength(1);
    });

    it('Airflow 2: a 403 to wrong basic-auth credentials is an authentication failure, a 403 to a write the account may not make is a permission error', async () => {
      const log = new CallLog();
      let passwordIsRight = false;
      const forbidden = () =>
        HttpResponse.json(
          { detail: null, status: 403, title: 'Forbidden', type: 'about:blank' },
          { status: 403, headers: { 'Content-Type': 'application/problem+json' } },
        );
      server.use(
        log.handle('get', '/api/v1/dags', () =>
          passwordIsRight
            ? HttpResponse.json({ dags: [], total_entries: 0 })
            : forbidden(),
        ),
        log.handle('patch', '/api/v1/dags/:dagId', forbidden),
      );
      const client = createClient({ apiVersion: 'v1', auth: password });
      const refused = await client.setDagPaused(DAG_ID, true).catch(e => e);
      expect(refused.name).toBe('AirflowAuthenticationError');
      expect(refused.message).toContain("'test-airflow'");
      expect(refused.message).toContain('authentication failed');
      passwordIsRight = true;
      const denied = await client.setDagPaused(DAG_ID, true).catch(e => e);
      expect(denied).toBeInstanceOf(AirflowPermissionError);
      // One check of the credentials per 403.
      expect(log.to('/api/v1/dags')).toHaveLength(2);
    });

    it('reports a refused login as AirflowAuthenticationError naming the instance, and backs off instead of logging in on every request', async () => {
      const log = new CallLog();
      server.use(
        log.handle('post', '/auth/token', () =>
          HttpResponse.json({ detail: 'Invalid credentials' }, { status: 401 }),
        ),
      );
      let now = Date.parse('2026-12-01T10:00:00Z');
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      const client = createClient({ apiVersion: 'v2', auth: password });
      const error = await client.listDags().catch(e => e);
      expect(error).toBeInstanceOf(AirflowAuthenticationError);
      expect(error.message).toBe(
        "Airflow instance 'test-airflow' rejected the configured credentials (authentication failed; POST /auth/token answered 401): Invalid credentials. Next login attempt in 5 s at the earliest.",
      );
      // A burst of requests while the credentials are refused: no more logins.
      for (let i = 0; i < 10; i++) {
        await expect(client.listDags()).rejects.toThrow(
          AirflowAuthenticationError,
        );
      }
      expect(log.to('/auth/token')).toHaveLength(1);
      // After the wait one more attempt, then the wait doubles.
      now += 5_000;
      await expect(client.listDags()).rejects.toThrow(
        /Next login attempt in 10 s/,
      );
      expect(log.to('/auth/token')).toHaveLength(2);
      now += 9_000;
      await expect(client.listDags()).rejects.toThrow(
        AirflowAuthenticationError,
      );
      expect(log.to('/auth/token')).toHaveLength(2);
      now += 1_000;
      await expect(client.listDags()).rejects.toThrow(
        /Next login attempt in 20 s/,
      );
      expect(log.to('/auth/token')).toHaveLength(3);
    });

    it('waits at most five minutes between login attempts while the credentials stay refused', async () => {
      const log = new CallLog();
      server.use(
        log.handle('post', '/auth/token', () =>
          HttpResponse.json({ detail: 'Invalid credentials' }, { status: 401 }),
        ),
      );
      let now = Date.parse('2026-12-01T10:00:00Z');
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      const client = createClient({ apiVersion: 'v2', auth: password });
      let message = '';
      for (let i = 0; i < 12; i++) {
        message = (await client.listDags().catch(e => e)).message;
        now += 10 * 60_000;
      }
      expect(message).toMatch(/Next login attempt in 300 s/);
      expect(log.to('/auth/token')).toHaveLength(12);
    });

    it('recovers at once from refused credentials when new ones arrive (a config reload)', async () => {
      const log = new CallLog();
      server.use(
        log.handle('post', '/auth/token', async ({ request }) => {
          const body = (await request.json()) as any;
          return body.password === 'fixed'
            ? HttpResponse.json(
                { access_token: makeJwt({ n: 1 }) },
                { status: 201 },
              )
            : HttpResponse.json(
                { detail: 'Invalid credentials' },
                { status: 401 },
              );
        }),
        pagedDagsHandler(log, 'v2', fakeDags('v2', 2), { cap: 100 }),
      );
      const client = createClient({ apiVersion: 'v2', auth: password });
      await expect(client.listDags()).rejects.toThrow(
        AirflowAuthenticationError,
      );
      client.replaceAuth({
        type: 'password',
        username: 'admin',
        password: 'fixed',
      });
      await expect(client.listDags()).resolves.toHaveLength(2);
      expect(log.to('/auth/token')).toHaveLength(2);
    });

    it('sends HTTP basic auth on v1 and never asks for a token', async () => {
      const log = new CallLog();
      server.use(
        ...versionHandlers('v1', log),
        log.handle('post', '/auth/token', () =>
          HttpResponse.json({}, { status: 500 }),
        ),
        pagedDagsHandler(log, 'v1', fakeDags('v1', 3), { cap: 100 }),
      );
      await createClient({
        auth: { type: 'password', username: 'admin', password: 's3cr:t' },
      }).listDags();
      const [call] = log.to('/api/v1/dags');
      expect(call.headers.authorization).toBe(
        `Basic ${Buffer.from('admin:s3cr:t').toString('base64')}`,
      );
      expect(log.to('/auth/token')).toHaveLength(0);
    });

    it('reports v1 basic auth rejected by Airflow as rejected credentials, with the problem title', async () => {
      server.use(
        http.get(`${AIRFLOW_BASE}/api/v1/dags`, () =>
          HttpResponse.json(fixture('v1/error401.json'), {
            status: 401,
            headers: { 'Content-Type': 'application/problem+json' },
          }),
        ),
      );
      await expect(
        createClient({
          apiVersion: 'v1',
          auth: { type: 'password', username: 'a', password: 'b' },
        }).listDags(),
      ).rejects.toThrow(
        new AirflowAuthenticationError(
          "Airflow instance 'test-airflow' rejected the configured credentials (authentication failed): Unauthorized",
        ),
      );
    });

    it('sends a static token as bearer and nothing with auth none', async () => {
      const log = new CallLog();
      server.use(pagedDagsHandler(log, 'v2', fakeDags('v2', 1), { cap: 50 }));
      await createClient({
        apiVersion: 'v2',
        auth: { type: 'token', token: 'static-token' },
      }).listDags();
      await createClient({
        apiVersion: 'v2',
        auth: { type: 'none' },
      }).listDags();
      expect(log.to('/api/v2/dags').map(c => c.headers.authorization)).toEqual([
        'Bearer static-token',
        undefined,
      ]);
    });
  });

  describe('listDags pagination', () => {
    it('lists all 179 DAGs of a v1 server that caps pages at 100, asking for at most 100 per page', async () => {
      const log = new CallLog();
      server.use(
        pagedDagsHandler(log, 'v1', fakeDags('v1', 179), { cap: 100 }),
      );
      const dags = await createClient({ apiVersion: 'v1' }).listDags();
      expect(dags).toHaveLength(179);
      expect(new Set(dags.map(d => d.dagId)).size).toBe(179);
      expect(dags[178].dagId).toBe('dag_178');
      const queries = log
        .to('/api/v1/dags')
        .map(c => new URL(c.url).searchParams);
      expect(queries.map(q => q.get('offset')).sort()).toEqual(['0', '100']);
      expect(queries.every(q => Number(q.get('limit')) <= 100)).toBe(true);
      expect(queries.every(q => q.get('order_by') === 'dag_id')).toBe(true);
    });

    it('lists all 179 DAGs of a v2 server that caps pages at 50, stepping by the page size it honours', async () => {
      const log = new CallLog();
      server.use(pagedDagsHandler(log, 'v2', fakeDags('v2', 179), { cap: 50 }));
      const dags = await createClient({ apiVersion: 'v2' }).listDags();
      expect(dags.map(d => d.dagId)).toEqual(
        fakeDags('v2', 179).map(d => d.dag_id),
      );
      const offsets = log
        .to('/api/v2/dags')
        .map(c => Number(new URL(c.url).searchParams.get('offset')));
      expect(offsets.sort((a, b) => a - b)).toEqual([0, 50, 100, 150]);
    });

    it('fetches the remaining pages concurrently, never more than 4 at a time', async () => {
      const log = new CallLog();
      const inFlight = { current: 0, max: 0 };
      server.use(
        pagedDagsHandler(log, 'v2', fakeDags('v2', 179), {
          cap: 10,
          delayMs: 20,
          inFlight,
        }),
      );
      const dags = await createClient({ apiVersion: 'v2' }).listDags();
      expect(dags).toHaveLength(179);
      expect(log.to('/api/v2/dags')).toHaveLength(18);
      expect(inFlight.max).toBeGreaterThan(1);
      expect(inFlight.max).toBeLessThanOrEqual(4);
    });

    it('stops at a short page when total_entries is missing', async () => {
      const log = new CallLog();
      server.use(
        pagedDagsHandler(log, 'v1', fakeDags('v1', 120), {
          cap: 50,
          totalEntries: false,
        }),
      );
      const dags = await createClient({ apiVersion: 'v1' }).listDags();
      expect(dags).toHaveLength(120);
      expect(log.to('/api/v1/dags')).toHaveLength(3);
    });

    it('continues past total_entries when a page comes back short (DAGs added or removed meanwhile)', async () => {
      const dags = fakeDags('v2', 120);
      let calls = 0;
      server.use(
        http.get(`${AIRFLOW_BASE}/api/v2/dags`, ({ request }) => {
          calls++;
          const offset = Number(
            new URL(request.url).searchParams.get('offset'),
          );
          // The page at offset 50 loses one item: the walk must refetch from 99.
          const page =
            offset === 50
              ? dags.slice(50, 99)
              : dags.slice(offset, offset + 50);
          return HttpResponse.json({ dags: page, total_entries: dags.length });
        }),
      );
      const result = await createClient({ apiVersion: 'v2' }).listDags();
      expect(result.map(d => d.dagId)).toEqual(dags.map(d => d.dag_id));
      expect(calls).toBe(4);
    });

    it('filters by tags as repeated, encoded keys and by paused=false', async () => {
      const log = new CallLog();
      server.use(pagedDagsHandler(log, 'v2', [], { cap: 50 }));
      await createClient({ apiVersion: 'v2' }).listDags({
        tags: ['ml', 'c++ & co'],
        includePaused: false,
      });
      const [call] = log.to('/api/v2/dags');
      expect(call.pathAndQuery).toBe(
        '/api/v2/dags?order_by=dag_id&tags=ml&tags=c%2B%2B%20%26%20co&paused=false&limit=100&offset=0',
      );
    });

    it('returns no DAGs, without calling Airflow, for an empty tag filter', async () => {
      const log = new CallLog();
      server.use(pagedDagsHandler(log, 'v2', fakeDags('v2', 3), { cap: 50 }));
      await expect(
        createClient({ apiVersion: 'v2' }).listDags({ tags: [] }),
      ).resolves.toEqual([]);
      expect(log.calls).toHaveLength(0);
    });
  });

  describe('getDags (the DAGs an entity names, without listing the instance)', () => {
    /** `GET /api/v2/dags` with Airflow 3.2's `dag_id_pattern`: `|` alternatives, each an ILIKE substring. */
    function patternDagsHandler(log: CallLog, dags: any[], cap = 100) {
      return log.handle('get', '/api/v2/dags', async ({ request }) => {
        const params = new URL(request.url).searchParams;
        const terms = (params.get('dag_id_pattern') ?? '')
          .split('|')
          .map(t => t.trim().toLowerCase())
          .filter(Boolean);
        // SQL LIKE: `_` matches any one character.
        const like = (id: string, term: string) =>
          new RegExp(
            term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/_/g, '.'),
          ).test(id.toLowerCase());
        const matching = dags.filter(d =>
          terms.some(term => like(d.dag_id, term)),
        );
        const limit = Math.min(Number(params.get('limit') ?? 50), cap);
        const offset = Number(params.get('offset') ?? 0);
        return HttpResponse.json({
          dags: matching.slice(offset, offset + limit),
          total_entries: matching.length,
        });
      });
    }

    function versionIs(version: string, log: CallLog) {
      return log.handle('get', '/api/v2/version', () =>
        HttpResponse.json({ version, git_version: null }),
      );
    }

    it('reads the named DAGs of an instance of 2,000 in one call on Airflow 3.2+, dropping look-alikes and keeping order', async () => {
      const log = new CallLog();
      server.use(
        versionIs('3.3.2', log),
        patternDagsHandler(log, fakeDags('v2', 2000)),
      );
      const dags = await createClient().getDags([
        'dag_100',
        'dag_007',
        'nope',
        'dag_100',
      ]);
      expect(dags.map(d => d.dagId)).toEqual(['dag_100', 'dag_007']);
      const calls = log.to('/api/v2/dags');
      expect(calls).toHaveLength(1);
      expect(new URL(calls[0].url).searchParams.get('dag_id_pattern')).toBe(
        'dag_100|dag_007|nope',
      );
    });

    it('pages on only until every named DAG is found among many look-alikes', async () => {
      const log = new CallLog();
      // `dag_1` is a substring of 1,100 other ids, and comes after them.
      const dags = [
        ...fakeDags('v2', 2000),
        { ...fakeDags('v2', 1)[0], dag_id: 'dag_1' },
      ];
      server.use(versionIs('3.2.0', log), patternDagsHandler(log, dags));
      const result = await createClient().getDags(['dag_1']);
      expect(result.map(d => d.dagId)).toEqual(['dag_1']);
      const calls = log.to('/api/v2/dags');
      expect(calls).toHaveLength(12);
    });

    it('splits a long list of ids so that no pattern exceeds the length bound', async () => {
      const log = new CallLog();
      const ids = Array.from(
        { length: 120 },
        (_, i) => `a_rather_long_dag_id_of_a_big_fleet_${i}`,
      );
      server.use(versionIs('3.3.2', log), patternDagsHandler(log, []));
      await expect(createClient().getDags(ids)).resolves.toEqual([]);
      const patterns = log
        .to('/api/v2/dags')
        .map(c => new URL(c.url).searchParams.get('dag_id_pattern')!);
      expect(patterns.length).toBe(3);
      expect(patterns.every(p => p.length <= 2000)).toBe(true);
      expect(patterns.flatMap(p => p.split('|'))).toEqual(ids);
    });

    it.each([
      ['Airflow 3.0 (no alternatives in patterns)', 'v2', '3.0.6'],
      ['Airflow 3.1', 'v2', '3.1.8'],
      ['Airflow 2', 'v1', '2.11.2'],
    ] as const)(
      'reads each named DAG by id on %s, a 404 meaning missing',
      async (_name, version, airflowVersion) => {
        const log = new CallLog();
        const dags = fakeDags(version, 3);
        server.use(
          log.handle('get', `/api/${version}/version`, () =>
            HttpResponse.json({ version: airflowVersion, git_version: null }),
          ),
          log.handle('get', `/api/${version}/dags/:dagId`, ({ params }) => {
            const dag = dags.find(d => d.dag_id === params.dagId);
            return dag
              ? HttpResponse.json(dag)
              : HttpResponse.json(
                  { detail: `DAG with dag_id: '${params.dagId}' not found` },
                  { status: 404 },
                );
          }),
        );
        const result = await createClient({ apiVersion: version }).getDags([
          'dag_002',
          'missing',
          'dag_000',
        ]);
        expect(result.map(d => d.dagId)).toEqual(['dag_002', 'dag_000']);
        expect(
          log.calls
            .filter(c => c.pathAndQuery.startsWith(`/api/${version}/dags/`))
            .map(c => c.pathAndQuery)
            .sort(),
        ).toEqual(
          ['dag_000', 'dag_002', 'missing'].map(
            id => `/api/${version}/dags/${id}`,
          ),
        );
      },
    );

    it('leaves stale DAGs out, as the listing does', async () => {
      const log = new CallLog();
      const dags = fakeDags('v2', 2).map((d, i) => ({
        ...d,
        is_stale: i === 1,
      }));
      server.use(versionIs('3.3.2', log), patternDagsHandler(log, dags));
      const result = await createClient().getDags(['dag_000', 'dag_001']);
      expect(result.map(d => d.dagId)).toEqual(['dag_000']);
    });
  });

  describe('listRecentDagRuns', () => {
    interface FakeRun {
      dagId: string;
      at: Date;
    }

    function rawRun(version: 'v1' | 'v2', run: FakeRun) {
      const iso = run.at.toISOString();
      const base = fixture(`${version}/dagRun.json`);
      const runId = `scheduled__${iso}`;
      if (version === 'v2') {
        return {
          ...base,
          dag_id: run.dagId,
          dag_display_name: run.dagId,
          dag_run_id: runId,
          run_after: iso,
          logical_date: iso,
        };
      }
      return {
        ...base,
        dag_id: run.dagId,
        dag_run_id: runId,
        execution_date: iso,
        logical_date: iso,
      };
    }

    /** `POST /api/{v}/dags/~/dagRuns/list` over `runs`, honouring the body like Airflow does. */
    function batchHandler(
      log: CallLog,
      version: 'v1' | 'v2',
      runs: FakeRun[],
      clamp = Infinity,
    ) {
      const key = version === 'v2' ? 'run_after' : 'execution_date';
      return log.handle(
        'post',
        `/api/${version}/dags/~/dagRuns/list`,
        async ({ request }) => {
          const body = (await request.json()) as any;
          const upTo = body[`${key}_lte`]
            ? Date.parse(body[`${key}_lte`])
            : Infinity;
          const matching = runs
            .filter(
              r => body.dag_ids.includes(r.dagId) && r.at.getTime() <= upTo,
            )
            .sort((a, b) => b.at.getTime() - a.at.getTime());
          const page = matching.slice(
            body.page_offset ?? 0,
            (body.page_offset ?? 0) + Math.min(body.page_limit ?? 100, clamp),
          );
          return HttpResponse.json({
            dag_runs: page.map(r => rawRun(version, r)),
            total_entries: matching.length,
          });
        },
      );
    }

    const minutesAgo = (m: number) =>
      new Date(Date.parse('2025-03-29T12:00:00Z') - m * 60_000);

    it('reads the latest runs of 30 DAGs in one HTTP call, its body valid for Airflow 3.0 and 3.2', async () => {
      const log = new CallLog();
      const ids = Array.from({ length: 30 }, (_, i) => `dag_${i}`);
      const runs = ids.flatMap((dagId, i) =>
        Array.from({ length: 10 }, (_, j) => ({
          dagId,
          at: minutesAgo(j * 30 + i),
        })),
      );
      server.use(batchHandler(log, 'v2', runs));
      const result = await createClient({ apiVersion: 'v2' }).listRecentDagRuns(
        ids,
        5,
      );

      expect(log.calls).toHaveLength(1);
      expect([...result.keys()]).toEqual(ids);
      for (const [i, dagId] of ids.entries()) {
        expect(result.get(dagId)!.map(r => r.runAfter)).toEqual(
          [0, 1, 2, 3, 4].map(j => minutesAgo(j * 30 + i).toISOString()),
        );
      }
      for (const call of log.calls) {
        expect(Object.keys(call.body).sort()).toEqual([
          'dag_ids',
          'order_by',
          'page_limit',
          'page_offset',
        ]);
        expect(call.body.order_by).toBe('-run_after');
        expect(call.body.page_limit).toBe(300);
        expect(
          airflowSchemaErrors('v2', 'DAGRunsBatchBody', call.body),
        ).toEqual([]);
        expect(
          airflowSchemaErrors(
            'v2-airflow-3.0.2',
            'DAGRunsBatchBody',
            call.body,
          ),
        ).toEqual([]);
      }
    });

    it('asks a second time only for DAGs that got too few runs, below the oldest run seen, within the bound', async () => {
      const log = new CallLog();
      const busy = Array.from({ length: 300 }, (_, j) => ({
        dagId: 'busy',
        at: minutesAgo(j),
      }));
      const quiet = ['q1', 'q2', 'q3'].flatMap((dagId, k) =>
        Array.from({ length: 4 }, (_, j) => ({
          dagId,
          at: minutesAgo(1000 + j * 10 + k),
        })),
      );
      server.use(batchHandler(log, 'v2', [...busy, ...quiet]));
      const result = await createClient({ apiVersion: 'v2' }).listRecentDagRuns(
        ['busy', 'q1', 'q2', 'q3'],
        3,
      );
      expect(result.get('busy')).toHaveLength(3);
      for (const [k, id] of ['q1', 'q2', 'q3'].entries()) {
        expect(result.get(id)!.map(r => r.runAfter)).toEqual(
          [0, 1, 2].map(j => minutesAgo(1000 + j * 10 + k).toISOString()),
        );
      }
      expect(log.calls.length).toBeLessThanOrEqual(4);
      const second = log.calls.filter(c => c.body.run_after_lte);
      expect(second.length).toBeGreaterThan(0);
      expect(second[0].body.dag_ids).toEqual(['q1', 'q2', 'q3']);
      expect(
        airflowSchemaErrors(
          'v2-airflow-3.0.2',
          'DAGRunsBatchBody',
          second[0].body,
        ),
      ).toEqual([]);
    });

    it('sends a valid v1 ListDagRunsForm ordered by -execution_date', async () => {
      const log = new CallLog();
      const runs = ['a', 'b'].flatMap((dagId, i) =>
        Array.from({ length: 3 }, (_, j) => ({
          dagId,
          at: minutesAgo(j * 10 + i),
        })),
      );
      server.use(batchHandler(log, 'v1', runs));
      const result = await createClient({ apiVersion: 'v1' }).listRecentDagRuns(
        ['a', 'b', 'none'],
        2,
      );
      expect(result.get('a')!.map(r => r.logicalDate)).toEqual(
        [minutesAgo(0), minutesAgo(10)].map(d => d.toISOString()),
      );
      expect(result.get('b')).toHaveLength(2);
      expect(result.get('none')).toEqual([]);
      expect(log.calls).toHaveLength(1);
      expect(log.calls[0].body).toEqual({
        dag_ids: ['a', 'b', 'none'],
        order_by: '-execution_date',
        page_limit: 12,
        page_offset: 0,
      });
      expect(
        airflowSchemaErrors('v1', 'ListDagRunsForm', log.calls[0].body),
      ).toEqual([]);
    });

    it('splits more than 100 DAG ids into chunks of at most 100 and maps DAGs without runs to []', async () => {
      const log = new CallLog();
      server.use(batchHandler(log, 'v2', []));
      const ids = Array.from({ length: 250 }, (_, i) => `dag_${i}`);
      const result = await createClient({ apiVersion: 'v2' }).listRecentDagRuns(
        [...ids, 'dag_0'],
        3,
      );
      expect(result.size).toBe(250);
      expect([...result.values()].every(runs => runs.length === 0)).toBe(true);
      expect(log.calls.map(c => c.body.dag_ids.length).sort()).toEqual([
        100, 100, 50,
      ]);
      expect(
        log.calls.every(c => c.body.page_limit <= BATCH_RUNS_PAGE_LIMIT),
      ).toBe(true);
    });

    it('still reads every DAG its runs when the server clamps batch pages to 100, within the bound of 4 calls per 100 DAGs', async () => {
      const log = new CallLog();
      const ids = Array.from({ length: 30 }, (_, i) => `dag_${i}`);
      const runs = ids.flatMap((dagId, i) =>
        Array.from({ length: 10 }, (_, j) => ({
          dagId,
          at: minutesAgo(j * 30 + i),
        })),
      );
      server.use(batchHandler(log, 'v2', runs, 100));
      const result = await createClient({ apiVersion: 'v2' }).listRecentDagRuns(
        ids,
        5,
      );
      expect(log.calls.length).toBeGreaterThan(1);
      expect(log.calls.length).toBeLessThanOrEqual(4);
      for (const dagId of ids) expect(result.get(dagId)).toHaveLength(5);
    });

    it('makes no call for no DAGs', async () => {
      const log = new CallLog();
      server.use(batchHandler(log, 'v2', []));
      await expect(
        createClient({ apiVersion: 'v2' }).listRecentDagRuns([], 5),
      ).resolves.toEqual(new Map());
      expect(log.calls).toHaveLength(0);
    });
  });

  describe('listDagRuns and getDagRun', () => {
    it('asks v2 for the newest runs by run_after, with repeated state filters', async () => {
      const log = new CallLog();
      server.use(
        log.handle('get', `/api/v2/dags/:dagId/dagRuns`, () =>
          HttpResponse.json(fixture('v2/dagRuns.json')),
        ),
      );
      const page = await createClient({ apiVersion: 'v2' }).listDagRuns(
        DAG_ID,
        {
          limit: 500,
          offset: 10,
          states: ['failed', 'running'],
        },
      );
      expect(log.calls[0].pathAndQuery).toBe(
        `/api/v2/dags/${DAG_ID}/dagRuns?limit=100&offset=10&order_by=-run_after&state=failed&state=running`,
      );
      expect(page.totalEntries).toBe(42);
      expect(page.items.map(r => r.runId)).toEqual([
        RUN_ID,
        'scheduled__2025-03-28T06:00:00+00:00',
        'asset_triggered__2025-03-27T12:00:00+00:00',
      ]);
    });

    it('asks v1 for the newest runs by execution_date with a default page of 25', async () => {
      const log = new CallLog();
      server.use(
        log.handle('get', `/api/v1/dags/:dagId/dagRuns`, () =>
          HttpResponse.json(fixture('v1/dagRuns.json')),
        ),
      );
      const page = await createClient({ apiVersion: 'v1' }).listDagRuns(DAG_ID);
      expect(log.calls[0].pathAndQuery).toBe(
        `/api/v1/dags/${DAG_ID}/dagRuns?limit=25&offset=0&order_by=-execution_date`,
      );
      expect(page.items[2].runType).toBe('dataset_triggered');
    });

    it('encodes the DAG id and the run id as single path segments, exactly once', async () => {
      const log = new CallLog();
      server.use(
        log.handle('get', '/api/v2/dags/:dagId/dagRuns/:runId', () =>
          HttpResponse.json(fixture('v2/dagRun.json')),
        ),
      );
      const run = await createClient({ apiVersion: 'v2' }).getDagRun(
        DAG_ID,
        RUN_ID,
      );
      expect(log.calls[0].url).toBe(
        `${AIRFLOW_BASE}/api/v2/dags/ml.feature-store-refresh/dagRuns/${ENCODED_RUN_ID}`,
      );
      expect(run.runId).toBe(RUN_ID);
      expect(run.webUrl).toBe(
        `https://airflow.example.com/dags/${DAG_ID}/runs/${ENCODED_RUN_ID}`,
      );
    });

    it('encodes unicode and slashes in DAG ids', async () => {
      const log = new CallLog();
      server.use(
        log.handle('get', '/api/v1/dags/:dagId/details', () =>
          HttpResponse.json(fixture('v1/dagDetail.json')),
        ),
      );
      await createClient({ apiVersion: 'v1' }).getDagDetails(
        'reports_ñ_export',
      );
      await createClient({ apiVersion: 'v1' }).getDagDetails('a/b');
      expect(log.calls.map(c => c.pathAndQuery)).toEqual([
        '/api/v1/dags/reports_%C3%B1_export/details',
        '/api/v1/dags/a%2Fb/details',
      ]);
    });
  });

  describe('listTaskInstances', () => {
    it('reads all task instances of a run, null and "none" states as none', async () => {
      const log = new CallLog();
      server.use(
        log.handle(
          'get',
          '/api/v1/dags/:dagId/dagRuns/:runId/taskInstances',
          () => HttpResponse.json(fixture('v1/taskInstances.json')),
        ),
      );
      const tis = await createClient({ apiVersion: 'v1' }).listTaskInstances(
        DAG_ID,
        RUN_ID,
      );
      expect(tis.map(t => t.state)).toEqual([
        'success',
        'failed',
        'none',
        'none',
      ]);
      expect(log.calls[0].pathAndQuery).toBe(
        `/api/v1/dags/${DAG_ID}/dagRuns/${ENCODED_RUN_ID}/taskInstances?limit=100&offset=0`,
      );
    });
  });

  describe('getDagDetails', () => {
    it('maps Airflow 3 params to typed params and a default conf', async () => {
      server.use(
        http.get(`${AIRFLOW_BASE}/api/v2/dags/:dagId/details`, () =>
          HttpResponse.json(fixture('v2/dagDetails.json')),
        ),
      );
      const details = await createClient({ apiVersion: 'v2' }).getDagDetails(
        DAG_ID,
      );
      expect(details.defaultConf).toEqual({
        full_refresh: false,
        tables: ['users', 'orders'],
        target_date: null,
      });
      expect(details.params.full_refresh).toEqual({
        value: false,
        schema: { type: 'boolean' },
        description: 'Rebuild every table',
      });
      expect(details.webUrl).toBe(`https://airflow.example.com/dags/${DAG_ID}`);
    });
  });

  describe('triggerDagRun', () => {
    function triggerHandler(log: CallLog, version: 'v1' | 'v2') {
      return log.handle(
        'post',
        `/api/${version}/dags/:dagId/dagRuns`,
        async ({ request }) => {
          const body = (await request.json()) as any;
          return HttpResponse.json({
            ...fixture(`${version}/dagRun.json`),
            dag_run_id: body.dag_run_id,
            logical_date: body.logical_date,
            conf: body.conf,
            note: body.note ?? null,
            state: 'queued',
            start_date: null,
            end_date: null,
          });
        },
      );
    }

    it('sends v2 only the writable keys, always with logical_date, in a body valid for Airflow 3.0 and 3.2', async () => {
      const log = new CallLog();
      server.use(triggerHandler(log, 'v2'));
      const client = createClient({ apiVersion: 'v2' });
      const run = await client.triggerDagRun(DAG_ID, {
        conf: { full_refresh: true },
      });
      await client.triggerDagRun(DAG_ID, {
        conf: {},
        note: 'by user:default/jane',
        runId: 'custom_run.1',
      });

      const [first, second] = log.calls;
      expect(Object.keys(first.body).sort()).toEqual([
        'conf',
        'dag_run_id',
        'logical_date',
      ]);
      expect(first.body.logical_date).toMatch(
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
      );
      expect(first.body.conf).toEqual({ full_refresh: true });
      expect(second.body).toEqual({
        dag_run_id: 'custom_run.1',
        logical_date: expect.any(String),
        conf: {},
        note: 'by user:default/jane',
      });
      for (const call of log.calls) {
        expect(
          airflowSchemaErrors('v2', 'TriggerDAGRunPostBody', call.body),
        ).toEqual([]);
        expect(
          airflowSchemaErrors(
            'v2-airflow-3.0.2',
            'TriggerDAGRunPostBody',
            call.body,
          ),
        ).toEqual([]);
      }
      expect(run).toMatchObject({
        dagId: DAG_ID,
        runId: first.body.dag_run_id,
        state: 'queued',
      });
    });

    it('sends v1 the same writable keys and never execution_date', async () => {
      const log = new CallLog();
      server.use(triggerHandler(log, 'v1'));
      await createClient({ apiVersion: 'v1' }).triggerDagRun(DAG_ID, {
        conf: { a: 1 },
        note: 'n',
        logicalDate: '2025-03-29T19:48:49Z',
      });
      const [call] = log.calls;
      expect(call.body).toEqual({
        dag_run_id: expect.stringMatching(/^backstage__/),
        logical_date: '2025-03-29T19:48:49.000000Z',
        conf: { a: 1 },
        note: 'n',
      });
      expect(airflowSchemaErrors('v1', 'DAGRun', call.body)).toEqual([]);
    });

    it("generates a different run id for each trigger, matching Airflow's allowed run id pattern", async () => {
      const log = new CallLog();
      server.use(triggerHandler(log, 'v2'));
      const client = createClient({ apiVersion: 'v2' });
      const [a, b] = await Promise.all([
        client.triggerDagRun(DAG_ID, { conf: {} }),
        client.triggerDagRun(DAG_ID, { conf: {} }),
      ]);
      expect(a.runId).not.toBe(b.runId);
      for (const id of [a.runId, b.runId]) {
        expect(id).toMatch(AIRFLOW_RUN_ID_PATTERN);
        expect(id).toMatch(
          /^backstage__\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z__[0-9a-f]{8}$/,
        );
      }
    });

    it('normalizes the logical date to UTC, keeping microseconds', async () => {
      const log = new CallLog();
      server.use(triggerHandler(log, 'v2'));
      await createClient({ apiVersion: 'v2' }).triggerDagRun(DAG_ID, {
        conf: {},
        logicalDate: '2025-03-29T21:48:49.273773+02:00',
      });
      expect(log.calls[0].body.logical_date).toBe(
        '2025-03-29T19:48:49.273773Z',
      );
    });

    it.each([
      '2023-10-25T23:29:05.630191',
      'mydate',
      '2025-02-30T10:00:00Z',
      '2025-03-29T25:00:00Z',
      '',
    ])(
      'rejects the logical date %p with InputError before calling Airflow',
      async logicalDate => {
        const log = new CallLog();
        server.use(triggerHandler(log, 'v2'));
        await expect(
          createClient({ apiVersion: 'v2' }).triggerDagRun(DAG_ID, {
            conf: {},
            logicalDate,
          }),
        ).rejects.toThrow(InputError);
        expect(log.calls).toHaveLength(0);
      },
    );

    it('rejects a conf that is not a JSON object, and an empty run id, before calling Airflow', async () => {
      const log = new CallLog();
      server.use(triggerHandler(log, 'v2'));
      const client = createClient({ apiVersion: 'v2' });
      for (const conf of ['x', [1], 1, null]) {
        await expect(
          client.triggerDagRun(DAG_ID, { conf: conf as any }),
        ).rejects.toThrow(
          new InputError('The run config (conf) must be a JSON object'),
        );
      }
      await expect(
        client.triggerDagRun(DAG_ID, { conf: {}, runId: ' ' }),
      ).rejects.toThrow(InputError);
      expect(log.calls).toHaveLength(0);
    });

    const conflict409 = (version: 'v1' | 'v2') =>
      http.post(`${AIRFLOW_BASE}/api/${version}/dags/:dagId/dagRuns`, () =>
        HttpResponse.json(
          fixture(version === 'v2' ? 'v2/error409.json' : 'v1/error409.json'),
          { status: 409 },
        ),
      );

    it.each([
      ['v2', 'logical_date_gte', 'logical_date_lte'],
      ['v1', 'execution_date_gte', 'execution_date_lte'],
    ] as const)(
      '%s: a 409 names the run Airflow has with that logical date (looked up), and carries it',
      async (version, gte, lte) => {
        const log = new CallLog();
        server.use(
          conflict409(version),
          log.handle('get', `/api/${version}/dags/:dagId/dagRuns`, () =>
            HttpResponse.json(fixture(`${version}/dagRuns.json`)),
          ),
        );
        const error = await createClient({ apiVersion: version })
          .triggerDagRun(DAG_ID, {
            conf: {},
            logicalDate: '2025-03-29T21:48:49.273773+02:00',
          })
          .catch(e => e);
        expect(error).toBeInstanceOf(DagRunExistsError);
        expect(error).toBeInstanceOf(ConflictError);
        expect(error.name).toBe('ConflictError');
        expect(error.message).toBe(
          `DAG '${DAG_ID}' already has a DAG run with logical date 2025-03-29T19:48:49.273773Z: '${RUN_ID}' (Airflow instance 'test-airflow')`,
        );
        expect(error.message).not.toMatch(/constraint|Serious error/);
        expect(error.existingRun).toMatchObject({
          runId: RUN_ID,
          dagId: DAG_ID,
          logicalDate: '2025-03-29T19:48:49.273773Z',
        });
        const query = new URL(log.calls[0].url).searchParams;
        expect(query.get(gte)).toBe('2025-03-29T19:48:49.273773Z');
        expect(query.get(lte)).toBe('2025-03-29T19:48:49.273773Z');
        expect(query.get('limit')).toBe('1');
      },
    );

    it('a 409 for a given run id that exists names that run', async () => {
      server.use(
        conflict409('v2'),
        http.get(`${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns/:runId`, () =>
          HttpResponse.json(fixture('v2/dagRun.json')),
        ),
      );
      const error = await createClient({ apiVersion: 'v2' })
        .triggerDagRun(DAG_ID, { conf: {}, runId: RUN_ID })
        .catch(e => e);
      expect(error).toBeInstanceOf(DagRunExistsError);
      expect(error.message).toBe(
        `DAG '${DAG_ID}' already has a DAG run with run id '${RUN_ID}' (Airflow instance 'test-airflow')`,
      );
      expect(error.existingRun.runId).toBe(RUN_ID);
    });

    it("a 409 whose run Airflow cannot show stays a ConflictError with Airflow's message", async () => {
      server.use(
        conflict409('v1'),
        http.get(`${AIRFLOW_BASE}/api/v1/dags/:dagId/dagRuns`, () =>
          HttpResponse.json({ dag_runs: [], total_entries: 0 }),
        ),
      );
      const error = await createClient({ apiVersion: 'v1' })
        .triggerDagRun(DAG_ID, { conf: {} })
        .catch(e => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).not.toBeInstanceOf(DagRunExistsError);
      expect(error.message).toBe(
        "DAGRun with DAG ID: 'ml.feature-store-refresh' and DAGRun ID: 'manual__2025-03-29T19:48:49.273773+00:00' already exists (Airflow instance 'test-airflow')",
      );
    });

    it('a failing lookup after a 409 keeps the conflict', async () => {
      server.use(
        conflict409('v2'),
        http.get(`${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns`, () =>
          HttpResponse.json({ detail: 'boom' }, { status: 500 }),
        ),
      );
      const error = await createClient({ apiVersion: 'v2' })
        .triggerDagRun(DAG_ID, { conf: {} })
        .catch(e => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).not.toBeInstanceOf(DagRunExistsError);
    });

    it("a refused param reads '<param>: <reason>', without Airflow's schema dump", async () => {
      server.use(
        http.post(`${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns`, () =>
          HttpResponse.json(
            {
              detail:
                "Invalid input for param top_n: 500 is greater than the maximum of 100\n\nFailed validating 'maximum' in schema:\n    {'type': 'integer', 'minimum': 1, 'maximum': 100}\n\nOn instance:\n    500",
            },
            { status: 400 },
          ),
        ),
      );
      const error = await createClient({ apiVersion: 'v2' })
        .triggerDagRun(DAG_ID, { conf: { top_n: 500 } })
        .catch(e => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toBe(
        "top_n: must be at most 100 (Airflow instance 'test-airflow')",
      );
    });
  });

  describe('getDag', () => {
    it.each(['v1', 'v2'] as const)(
      'reads one DAG from %s /dags/{id}',
      async version => {
        const log = new CallLog();
        server.use(
          log.handle('get', `/api/${version}/dags/:dagId`, () =>
            HttpResponse.json(fixture(`${version}/dag.json`)),
          ),
        );
        const dag = await createClient({ apiVersion: version }).getDag(DAG_ID);
        expect(log.calls[0].pathAndQuery).toBe(
          `/api/${version}/dags/ml.feature-store-refresh`,
        );
        expect(dag.dagId).toBe(DAG_ID);
        expect(typeof dag.isPaused).toBe('boolean');
      },
    );
  });

  describe('setDagPaused', () => {
    it.each(['v1', 'v2'] as const)(
      'PATCHes %s /dags/{id}?update_mask=is_paused with exactly {is_paused}',
      async version => {
        const log = new CallLog();
        server.use(
          log.handle('patch', `/api/${version}/dags/:dagId`, () =>
            HttpResponse.json({
              ...fixture(`${version}/dag.json`),
              is_paused: true,
            }),
          ),
        );
        const dag = await createClient({ apiVersion: version }).setDagPaused(
          DAG_ID,
          true,
        );
        const [call] = log.calls;
        expect(call.method).toBe('PATCH');
        expect(call.pathAndQuery).toBe(
          `/api/${version}/dags/${DAG_ID}?update_mask=is_paused`,
        );
        expect(call.body).toEqual({ is_paused: true });
        const [spec, schema] =
          version === 'v2' ? ['v2', 'DAGPatchBody'] : ['v1', 'DAG'];
        expect(
          airflowSchemaErrors(spec as 'v1' | 'v2', schema, call.body),
        ).toEqual([]);
        expect(dag).toMatchObject({ dagId: DAG_ID, isPaused: true });
      },
    );
  });

  describe('clearDagRun', () => {
    it('sends v2 {dry_run: false, only_failed} and returns the cleared run', async () => {
      const log = new CallLog();
      server.use(
        log.handle('post', '/api/v2/dags/:dagId/dagRuns/:runId/clear', () =>
          HttpResponse.json({ ...fixture('v2/dagRun.json'), state: 'queued' }),
        ),
      );
      const run = await createClient({ apiVersion: 'v2' }).clearDagRun(
        DAG_ID,
        RUN_ID,
        { onlyFailed: true },
      );
      const [call] = log.calls;
      expect(call.pathAndQuery).toBe(
        `/api/v2/dags/${DAG_ID}/dagRuns/${ENCODED_RUN_ID}/clear`,
      );
      expect(call.body).toEqual({ dry_run: false, only_failed: true });
      expect(
        airflowSchemaErrors('v2-airflow-3.0.2', 'DAGRunClearBody', call.body),
      ).toEqual([]);
      expect(run.state).toBe('queued');
    });

    it('sends v1 …/clear with only {dry_run: false} to clear all tasks', async () => {
      const log = new CallLog();
      server.use(
        log.handle('post', '/api/v1/dags/:dagId/dagRuns/:runId/clear', () =>
          HttpResponse.json({ ...fixture('v1/dagRun.json'), state: 'queued' }),
        ),
      );
      const run = await createClient({ apiVersion: 'v1' }).clearDagRun(
        DAG_ID,
        RUN_ID,
        { onlyFailed: false },
      );
      expect(log.calls[0].body).toEqual({ dry_run: false });
      expect(
        airflowSchemaErrors('v1', 'ClearDagRun', log.calls[0].body),
      ).toEqual([]);
      expect(run.state).toBe('queued');
    });

    it('clears only failed tasks on v1 through clearTaskInstances, then reads the run', async () => {
      const log = new CallLog();
      server.use(
        log.handle('post', '/api/v1/dags/:dagId/clearTaskInstances', () =>
          HttpResponse.json({ task_instances: [] }),
        ),
        log.handle('get', '/api/v1/dags/:dagId/dagRuns/:runId', () =>
          HttpResponse.json({ ...fixture('v1/dagRun.json'), state: 'running' }),
        ),
      );
      const run = await createClient({ apiVersion: 'v1' }).clearDagRun(
        DAG_ID,
        RUN_ID,
        { onlyFailed: true },
      );
      const [clear, read] = log.calls;
      expect(clear.pathAndQuery).toBe(
        `/api/v1/dags/${DAG_ID}/clearTaskInstances`,
      );
      expect(clear.body).toEqual({
        dry_run: false,
        only_failed: true,
        dag_run_id: RUN_ID,
        reset_dag_runs: true,
      });
      expect(
        airflowSchemaErrors('v1', 'ClearTaskInstances', clear.body),
      ).toEqual([]);
      expect(read.pathAndQuery).toBe(
        `/api/v1/dags/${DAG_ID}/dagRuns/${ENCODED_RUN_ID}`,
      );
      expect(run.state).toBe('running');
    });
  });

  describe('writes whose answer is lost', () => {
    const runJson = (runId: string, conf: object, state = 'queued') => ({
      ...fixture('v2/dagRun.json'),
      dag_run_id: runId,
      conf,
      state,
    });

    it.each([
      ['the connection drops', () => HttpResponse.error()],
      [
        'the body is cut',
        () =>
          new HttpResponse('{"dag_run_id": "backstage__', {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
          }),
      ],
    ])(
      'looks the triggered run up by its run id when %s, and answers with it',
      async (_case, answer) => {
        const log = new CallLog();
        let sentRunId = '';
        server.use(
          log.handle(
            'post',
            '/api/v2/dags/:dagId/dagRuns',
            async ({ request }) => {
              sentRunId = ((await request.json()) as any).dag_run_id;
              return answer();
            },
          ),
          log.handle(
            'get',
            '/api/v2/dags/:dagId/dagRuns/:runId',
            ({ params }) =>
              HttpResponse.json(runJson(String(params.runId), { a: 1 })),
          ),
        );
        const run = await createClient({ apiVersion: 'v2' }).triggerDagRun(
          DAG_ID,
          { conf: { a: 1 } },
        );
        expect(run.runId).toBe(sentRunId);
        expect(log.calls.map(c => c.method)).toEqual(['POST', 'GET']);
      },
    );

    it('answers "outcome unknown" naming the run id when the answer timed out and the run is not there', async () => {
      server.use(
        http.post(`${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns`, async () => {
          await delay('infinite');
          return HttpResponse.json({});
        }),
        http.get(`${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns/:runId`, () =>
          HttpResponse.json({ detail: 'not found' }, { status: 404 }),
        ),
      );
      const error = await createClient({ apiVersion: 'v2', timeoutMs: 50 })
        .triggerDagRun(DAG_ID, { conf: {}, runId: 'manual__retry_me' })
        .catch(e => e);
      expect(error.name).toBe('AirflowOutcomeUnknownError');
      expect(error.statusCode).toBe(503);
      expect(error.message).toContain("run id 'manual__retry_me'");
      expect(error.message).toContain('cannot create a second run');
    });

    it('does not read back a write that never reached Airflow (connection refused)', async () => {
      const port = await closedPort();
      server.use(http.all(`http://127.0.0.1:${port}/*`, () => passthrough()));
      const error = await createClient({
        apiVersion: 'v2',
        baseUrl: `http://127.0.0.1:${port}`,
      })
        .triggerDagRun(DAG_ID, { conf: {} })
        .catch(e => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.name).toBe('ServiceUnavailableError');
      expect(error.message).toContain('unreachable');
    });

    it('a retry with the same run id and conf answers with the run the lost trigger created, a different conf stays a conflict', async () => {
      server.use(
        http.post(`${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns`, () =>
          HttpResponse.json(
            { detail: 'DAG run already exists' },
            { status: 409 },
          ),
        ),
        http.get(
          `${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns/:runId`,
          ({ params }) =>
            HttpResponse.json(runJson(String(params.runId), { top_n: 5 })),
        ),
      );
      const client = createClient({ apiVersion: 'v2' });
      const run = await client.triggerDagRun(DAG_ID, {
        conf: { top_n: 5 },
        runId: 'manual__once',
      });
      expect(run.runId).toBe('manual__once');
      await expect(
        client.triggerDagRun(DAG_ID, {
          conf: { top_n: 6 },
          runId: 'manual__once',
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      // Without a run id of the caller's, a 409 is always a conflict.
      await expect(
        client.triggerDagRun(DAG_ID, { conf: { top_n: 5 } }),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('reports the real end state of a pause whose answer was lost', async () => {
      let paused = false;
      server.use(
        ...versionHandlers('v2', new CallLog()),
        http.patch(`${AIRFLOW_BASE}/api/v2/dags/:dagId`, () => {
          paused = true;
          return HttpResponse.error();
        }),
        http.get(`${AIRFLOW_BASE}/api/v2/dags/:dagId`, () =>
          HttpResponse.json({ ...fixture('v2/dag.json'), is_paused: paused }),
        ),
        http.get(`${AIRFLOW_BASE}/api/v2/dags`, () =>
          HttpResponse.json({
            dags: [{ ...fixture('v2/dag.json'), is_paused: paused }],
            total_entries: 1,
          }),
        ),
      );
      const dag = await createClient({ apiVersion: 'v2' }).setDagPaused(
        fixture('v2/dag.json').dag_id,
        true,
      );
      expect(dag.isPaused).toBe(true);
    });

    it('a clear whose answer was lost: the run queued again is the answer; a run still failed is "outcome unknown"', async () => {
      let state = 'queued';
      server.use(
        http.post(
          `${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns/:runId/clear`,
          () => HttpResponse.error(),
        ),
        http.get(
          `${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns/:runId`,
          ({ params }) =>
            HttpResponse.json(runJson(String(params.runId), {}, state)),
        ),
      );
      const client = createClient({ apiVersion: 'v2' });
      const run = await client.clearDagRun(DAG_ID, RUN_ID, {
        onlyFailed: true,
      });
      expect(run.state).toBe('queued');
      state = 'failed';
      const error = await client
        .clearDagRun(DAG_ID, RUN_ID, { onlyFailed: true })
        .catch(e => e);
      expect(error.name).toBe('AirflowOutcomeUnknownError');
      expect(error.message).toContain(`clearing DAG run '${RUN_ID}'`);
    });
  });

  describe('error mapping', () => {
    it("maps a v2 404 to NotFoundError with Airflow's message and the instance name", async () => {
      server.use(
        http.get(`${AIRFLOW_BASE}/api/v2/dags/:dagId/details`, () =>
          HttpResponse.json(fixture('v2/error404.json'), { status: 404 }),
        ),
      );
      await expect(
        createClient({ apiVersion: 'v2' }).getDagDetails('missing_dag'),
      ).rejects.toThrow(
        new NotFoundError(
          "The Dag with ID: `missing_dag` was not found (Airflow instance 'test-airflow')",
        ),
      );
    });

    it('maps a v1 404 problem+json to NotFoundError', async () => {
      server.use(
        http.get(`${AIRFLOW_BASE}/api/v1/dags/:dagId/details`, () =>
          HttpResponse.json(fixture('v1/error404.json'), {
            status: 404,
            headers: { 'Content-Type': 'application/problem+json' },
          }),
        ),
      );
      await expect(
        createClient({ apiVersion: 'v1' }).getDagDetails('missing_dag'),
      ).rejects.toThrow(
        new NotFoundError(
          "DAG with dag_id: 'missing_dag' not found (Airflow instance 'test-airflow')",
        ),
      );
    });

    it('maps a v2 422 validation array to InputError with readable field errors', async () => {
      server.use(
        http.post(`${AIRFLOW_BASE}/api/v2/dags/:dagId/dagRuns`, () =>
          HttpResponse.json(fixture('v2/error422.json'), { status: 422 }),
        ),
      );
      await expect(
        createClient({ apiVersion: 'v2' }).triggerDagRun(DAG_ID, { conf: {} }),
      ).rejects.toThrow(
        new InputError(
          "body.conf: Input should be a valid dictionary; body.state: Extra inputs are not permitted (Airflow instance 'test-airflow')",
        ),
      );
    });

    it('maps a v1 400 problem+json to InputError with its detail', async () => {
      server.use(
        http.post(`${AIRFLOW_BASE}/api/v1/dags/:dagId/dagRuns`, () =>
          HttpResponse.json(fixture('v1/error400.json'), {
            status: 400,
            headers: { 'Content-Type': 'application/problem+json' },
          }),
        ),
      );
      await expect(
        createClient({ apiVersion: 'v1' }).triggerDagRun(DAG_ID, { conf: {} }),
      ).rejects.toThrow(
        new InputError(
          "'2023-10-25T23:29:05.630191' is not a 'date-time' - 'logical_date' (Airflow instance 'test-airflow')",
        ),
      );
    });

    it('uses the problem title when a v1 detail is null (seen in practice, outside the spec)', async () => {
      server.use(
        http.get(`${AIRFLOW_BASE}/api/v1/dags/:dagId/details`, () =>
          HttpResponse.json(
            { ...fixture('v1/error404.json'), detail: null },
            { status: 404 },
          ),
        ),
      );
      await expect(
        createClient({ apiVersion: 'v1' }).getDagDetails('x'),
      ).rejects.toThrow(
        new NotFoundError("DAG not found (Airflow instance 'test-airflow')"),
      );
    });

    it('maps an HTML 500 page to ServiceUnavailableError with the page title, not the markup', async () => {
      server.use(
        http.get(
          `${AIRFLOW_BASE}/api/v1/dags`,
          () =>
            new HttpResponse(
              '<!DOCTYPE html><html><head><title>Airflow 500 - Ooops!</title></head><body><h1>Ooops!</h1><pre>Traceback ...</pre></body></html>',
              { status: 500, headers: { 'Content-Type': 'text/html' } },
            ),
        ),
      );
      await expect(
        createClient({ apiVersion: 'v1' }).listDags(),
      ).rejects.toThrow(
        new ServiceUnavailableError(
          "Airflow instance 'test-airflow' failed on GET /dags with status 500: Airflow 500 - Ooops!",
        ),
      );
    });

    it('maps the Airflow 3 removed-path {error} body to ServiceUnavailableError, not NotFoundError', async () => {
      server.use(
        ...versionHandlers('v2'),
        http.get(`${AIRFLOW_BASE}/api/v1/dags`, () =>
          HttpResponse.json(
            {
              error:
                '/api/v1 has been removed in Airflow 3, please use its upgraded version /api/v2 instead.',
            },
            { status: 404 },
          ),
        ),
      );
      const error = await createClient({ apiVersion: 'v1' })
        .listDags()
        .catch(e => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toContain('/api/v1 has been removed in Airflow 3');
    });

    it('maps a 2xx answer that is not JSON to ServiceUnavailableError', async () => {
      server.use(
        http.get(
          `${AIRFLOW_BASE}/api/v2/dags`,
          () =>
            new HttpResponse('<html><title>Sign in</title></html>', {
              status: 200,
            }),
        ),
      );
      await expect(
        createClient({ apiVersion: 'v2' }).listDags(),
      ).rejects.toThrow(
        "Airflow instance 'test-airflow' answered GET /dags with a non-JSON body: Sign in",
      );
    });

    it('maps a refused connection to ServiceUnavailableError "is unreachable"', async () => {
      const port = await closedPort();
      server.use(http.all(`http://127.0.0.1:${port}/*`, () => passthrough()));
      const error = await createClient({
        apiVersion: 'v2',
        baseUrl: `http://127.0.0.1:${port}`,
      })
        .listDags()
        .catch(e => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toMatch(
        /^Airflow instance 'test-airflow' is unreachable: .*ECONNREFUSED/,
      );
    });

    it('maps a timeout to ServiceUnavailableError "did not answer within N ms"', async () => {
      server.use(
        http.get(`${AIRFLOW_BASE}/api/v2/dags`, async () => {
          await delay(1000);
          return HttpResponse.json(fixture('v2/dags.json'));
        }),
      );
      // The message is only written when the client's own timeout fires.
      await expect(
        createClient({ apiVersion: 'v2', timeoutMs: 50 }).listDags(),
      ).rejects.toThrow(
        new ServiceUnavailableError(
          "Airflow instance 'test-airflow' did not answer within 50 ms (GET /dags)",
        ),
      );
    });
  });

  describe('getStatus', () => {
    it('reports a healthy Airflow 3 with its version and components', async () => {
      server.use(
        ...versionHandlers('v2'),
        http.get(`${AIRFLOW_BASE}/api/v2/monitor/health`, () =>
          HttpResponse.json(fixture('v2/health.json')),
        ),
      );
      await expect(createClient().getStatus()).resolves.toEqual({
        name: 'test-airflow',
        webUiUrl: 'https://airflow.example.com',
        apiVersion: 'v2',
        version: '3.2.1',
        status: 'healthy',
        components: {
          metadatabase: { status: 'healthy' },
          scheduler: {
            status: 'healthy',
            latestHeartbeat: '2025-03-29T19:50:01.123456Z',
          },
          triggerer: { status: null, latestHeartbeat: null },
          dag_processor: {
            status: 'healthy',
            latestHeartbeat: '2025-03-29T19:50:00.5Z',
          },
        },
      });
    });

    it('reports an Airflow 2 with an unhealthy scheduler as unhealthy', async () => {
      server.use(
        ...versionHandlers('v1'),
        http.get(`${AIRFLOW_BASE}/api/v1/health`, () =>
          HttpResponse.json(fixture('v1/health.json')),
        ),
      );
      const status = await createClient().getStatus();
      expect(status).toMatchObject({
        apiVersion: 'v1',
        version: '2.10.5',
        status: 'unhealthy',
      });
      expect(status.components.scheduler.status).toBe('unhealthy');
    });

    it('reports an instance that refuses connections as unreachable, without throwing', async () => {
      const port = await closedPort();
      server.use(http.all(`http://127.0.0.1:${port}/*`, () => passthrough()));
      const status = await createClient({
        baseUrl: `http://127.0.0.1:${port}`,
      }).getStatus();
      expect(status).toEqual({
        name: 'test-airflow',
        webUiUrl: 'https://airflow.example.com',
        apiVersion: null,
        version: null,
        status: 'unreachable',
        components: {},
        error: expect.stringMatching(
          /^Airflow instance 'test-airflow' is unreachable: .*ECONNREFUSED/,
        ),
      });
    });
  });
});

describe('normalizeLogicalDate', () => {
  it('accepts offsets and Z, returns UTC keeping microseconds', () => {
    expect(normalizeLogicalDate('2025-03-29T19:48:49Z')).toBe(
      '2025-03-29T19:48:49.000000Z',
    );
    expect(normalizeLogicalDate('2025-03-29T19:48:49.273773+00:00')).toBe(
      '2025-03-29T19:48:49.273773Z',
    );
    expect(normalizeLogicalDate('2025-03-29T19:48:49.2737739+00:00')).toBe(
      '2025-03-29T19:48:49.273773Z',
    );
    expect(normalizeLogicalDate('2025-03-29T14:48-05:00')).toBe(
      '2025-03-29T19:48:00.000000Z',
    );
    expect(normalizeLogicalDate('2024-02-29T00:00:00.5+0100')).toBe(
      '2024-02-28T23:00:00.500000Z',
    );
  });

  it('gives the default logical date microsecond digits', () => {
    expect(nowWithMicroseconds()).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
    );
  });
});

describe('encodePath', () => {
  it('encodes each id once, as one segment', () => {
    expect(
      encodePath`/dags/${'ml.feature-store-refresh'}/dagRuns/${'manual__2025-03-29T19:48:49.273773+00:00'}`,
    ).toBe(
      '/dags/ml.feature-store-refresh/dagRuns/manual__2025-03-29T19%3A48%3A49.273773%2B00%3A00',
    );
  });

  it.each(['~', '.', '..'])(
    'refuses %j as an id: Airflow would read it as every run or drop the segment',
    id => {
      expect(() => encodePath`/dags/d/dagRuns/${id}/taskInstances`).toThrow(
        InputError,
      );
    },
  );
});
