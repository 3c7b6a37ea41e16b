/**
 * A latency-injecting stand-in for one Airflow instance, speaking the REST
 * shapes of Airflow 3 (`/api/v2`, JWT from `POST /auth/token`) or Airflow 2
 * (`/api/v1`, basic auth), over a deterministic fleet of N DAGs (see data.ts).
 *
 * What it reproduces of Airflow, because the cost being measured depends on it:
 * - `GET /dags` pages with `limit`/`offset`/`total_entries`, defaults 50 (v2)
 *   or 100 (v1), larger limits clamped to `pageClamp` (Airflow's
 *   `maximum_page_limit`, 100), `dag_id_pattern` (substring LIKE, `|` = or on
 *   v2), `tags` (any; v2 `tags_match_mode=all`), `paused`, `order_by=dag_id`.
 * - `GET /dags/{id}`, `/details`, `/dagRuns` (limit/offset/state/order_by),
 *   `/dagRuns/{run}`, `/dagRuns/{run}/taskInstances`, `PATCH /dags/{id}`.
 * - `POST /dags/~/dagRuns/list` (the batch; `page_limit` is not clamped, as in
 *   Airflow), v2 refusing unknown body keys with 422.
 * - `/version`, `/api/v2/monitor/health` | `/api/v1/health` | `/health`.
 * Every counted request waits `latencyMs` before it is answered.
 *
 * Side endpoints under `/_bench/` (neither counted nor delayed):
 * `GET /_bench/counts`, `POST /_bench/reset`, `GET|POST /_bench/config`
 * (`{latencyMs?, dagCount?, pageClamp?}`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ApiVersion,
  type DagFacts,
  type RunFacts,
  dagDetailsJson,
  dagFacts,
  dagJson,
  indexOfDagId,
  runJson,
  runsOf,
  taskInstancesJson,
} from './data.ts';

export interface StandinOptions {
  apiVersion: ApiVersion;
  dagCount: number;
  latencyMs?: number;
  pageClamp?: number;
  username?: string;
  password?: string;
  /** Lifetime of issued JWTs (v2). */
  jwtLifetimeSeconds?: number;
}

export interface StandinConfig {
  apiVersion: ApiVersion;
  dagCount: number;
  latencyMs: number;
  pageClamp: number;
}

export interface StandinCounts {
  total: number;
  byRoute: Record<string, number>;
  since: string;
  /** Epoch ms of the first and last counted request since the reset (null when none). */
  firstAt: number | null;
  lastAt: number | null;
}

interface Answer {
  status: number;
  body: unknown;
  /** The body already serialized (used instead of `body`). */
  json?: string;
  headers?: Record<string, string>;
}

const V2_BATCH_KEYS = new Set([
  'order_by',
  'page_offset',
  'page_limit',
  'dag_ids',
  'states',
  'conf_contains',
  ...[
    'run_after',
    'logical_date',
    'start_date',
    'end_date',
    'duration',
  ].flatMap(f => ['gte', 'gt', 'lte', 'lt'].map(op => `${f}_${op}`)),
]);
const V1_BATCH_KEYS = new Set([
  'order_by',
  'page_offset',
  'page_limit',
  'dag_ids',
  'states',
  ...['execution_date', 'start_date', 'end_date'].flatMap(f => [
    `${f}_gte`,
    `${f}_lte`,
  ]),
]);

/** SQL `ILIKE '%pattern%'` (Airflow's `dag_id_pattern`), `|` separating alternatives on v2. */
export function likeMatcher(
  pattern: string,
  version: ApiVersion,
): (s: string) => boolean {
  const alternatives = version === 'v2' ? pattern.split('|') : [pattern];
  const source = alternatives
    .map(p =>
      p
        .split('')
        .map(c => {
          if (c === '%') return '.*';
          if (c === '_') return '.';
          return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join(''),
    )
    .join('|');
  const re = new RegExp(source, 'i');
  return s => re.test(s);
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function problem(version: ApiVersion, status: number, detail: string): Answer {
  if (version === 'v2') return { status, body: { detail } };
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
  };
  return {
    status,
    body: {
      detail,
      status,
      title: titles[status] ?? 'Error',
      type: 'about:blank',
    },
    headers: { 'Content-Type': 'application/problem+json' },
  };
}

function ordered(runs: RunFacts[], orderBy: string | undefined): RunFacts[] {
  const key = (orderBy ?? '').replace(/^-/, '');
  const desc = (orderBy ?? '').startsWith('-');
  const byTime = [
    'run_after',
    'execution_date',
    'logical_date',
    'start_date',
  ].includes(key);
  const sorted = [...runs];
  sorted.sort((a, b) => {
    const c = byTime ? a.at - b.at : a.runId.localeCompare(b.runId);
    return c !== 0 ? c : a.dagId.localeCompare(b.dagId);
  });
  if (desc) sorted.reverse();
  return sorted;
}

/** One stand-in instance. */
export class Standin {
  readonly config: StandinConfig;
  readonly #username: string;
  readonly #password: string;
  readonly #secret = 'bench-standin-secret';
  readonly #jwtLifetime: number;
  readonly #paused = new Map<number, boolean>();
  #runs = new Map<number, RunFacts[]>();
  /** Facts of every DAG of the fleet, and each DAG's serialized list entry (the stand-in's own cost stays small). */
  #fleet: DagFacts[] = [];
  #dagJsonCache = new Map<number, string>();
  #counts = new Map<string, number>();
  #since = new Date().toISOString();
  #firstAt: number | null = null;
  #lastAt: number | null = null;
  #server?: http.Server;

  constructor(options: StandinOptions) {
    this.config = {
      apiVersion: options.apiVersion,
      dagCount: options.dagCount,
      latencyMs: options.latencyMs ?? 0,
      pageClamp: options.pageClamp ?? 100,
    };
    this.#username = options.username ?? 'admin';
    this.#password = options.password ?? 'admin';
    this.#jwtLifetime = options.jwtLifetimeSeconds ?? 86_400;
    this.#buildFleet();
  }

  #buildFleet() {
    this.#fleet = Array.from({ length: this.config.dagCount }, (_, i) =>
      dagFacts(i),
    );
    this.#dagJsonCache = new Map();
    this.#runs = new Map();
  }

  #dagListJson(facts: DagFacts): string {
    let json = this.#dagJsonCache.get(facts.index);
    if (json === undefined) {
      json = JSON.stringify(
        dagJson(facts, this.config.apiVersion, this.#isPaused(facts)),
      );
      this.#dagJsonCache.set(facts.index, json);
    }
    return json;
  }

  get prefix(): string {
    return `/api/${this.config.apiVersion}`;
  }

  counts(): StandinCounts {
    const byRoute = Object.fromEntries([...this.#counts.entries()].sort());
    const total = [...this.#counts.values()].reduce((a, b) => a + b, 0);
    return {
      total,
      byRoute,
      since: this.#since,
      firstAt: this.#firstAt,
      lastAt: this.#lastAt,
    };
  }

  resetCounts(): void {
    this.#counts = new Map();
    this.#since = new Date().toISOString();
    this.#firstAt = null;
    this.#lastAt = null;
  }

  configure(patch: Partial<Omit<StandinConfig, 'apiVersion'>>): StandinConfig {
    if (patch.latencyMs !== undefined) {
      this.config.latencyMs = Math.max(0, Number(patch.latencyMs));
    }
    if (patch.pageClamp !== undefined) {
      this.config.pageClamp = Math.max(1, Math.floor(patch.pageClamp));
    }
    if (patch.dagCount !== undefined) {
      this.config.dagCount = Math.max(0, Math.floor(patch.dagCount));
      this.#buildFleet();
    }
    return this.config;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    const server = http.createServer((req, res) => {
      this.#handle(req, res).catch(error => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ detail: String(error) }));
      });
    });
    server.keepAliveTimeout = 30_000;
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }

  // ------------------------------------------------------------- plumbing

  #count(key: string) {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    this.#firstAt ??= Date.now();
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    const raw = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
    const send = (answer: Answer) => {
      res.writeHead(answer.status, {
        'Content-Type': 'application/json',
        ...answer.headers,
      });
      if (answer.json !== undefined) res.end(answer.json);
      else
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    };

    if (url.pathname.startsWith('/_bench/')) {
      send(this.#side(method, url.pathname, raw));
      return;
    }
    const { key, answer } = this.#route(method, url, req.headers, raw);
    this.#count(key);
    if (this.config.latencyMs > 0) {
      await new Promise(r => setTimeout(r, this.config.latencyMs));
    }
    this.#lastAt = Date.now();
    send(answer);
  }

  #side(method: string, path: string, raw: string): Answer {
    if (path === '/_bench/counts' && method === 'GET') {
      return { status: 200, body: this.counts() };
    }
    if (path === '/_bench/reset' && method === 'POST') {
      this.resetCounts();
      return { status: 200, body: this.counts() };
    }
    if (path === '/_bench/config' && method === 'GET') {
      return { status: 200, body: this.config };
    }
    if (path === '/_bench/config' && method === 'POST') {
      return { status: 200, body: this.configure(raw ? JSON.parse(raw) : {}) };
    }
    return {
      status: 404,
      body: { detail: `no side endpoint ${method} ${path}` },
    };
  }

  #jwt(): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(
      JSON.stringify({
        sub: this.#username,
        role: 'ADMIN',
        iat: now,
        nbf: now,
        exp: now + this.#jwtLifetime,
      }),
    );
    const sig = createHmac('sha256', this.#secret)
      .update(`${header}.${payload}`)
      .digest('base64url');
    return `${header}.${payload}.${sig}`;
  }

  /** Undefined when authorized, else the error answer. */
  #checkAuth(headers: http.IncomingHttpHeaders): Answer | undefined {
    const value = headers.authorization ?? '';
    const v = this.config.apiVersion;
    if (v === 'v1') {
      const expected = `Basic ${Buffer.from(
        `${this.#username}:${this.#password}`,
      ).toString('base64')}`;
      if (value === expected) return undefined;
      return problem(v, 401, 'Unauthorized');
    }
    if (!value.startsWith('Bearer ')) {
      return {
        status: 401,
        body: { detail: 'Not authenticated' },
        headers: { 'WWW-Authenticate': 'Bearer' },
      };
    }
    const [header, payload, sig] = value.slice(7).split('.');
    const expected = createHmac('sha256', this.#secret)
      .update(`${header}.${payload}`)
      .digest();
    const given = Buffer.from(sig ?? '', 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { status: 403, body: { detail: 'Invalid JWT token' } };
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    if (claims.exp * 1000 < Date.now()) {
      return { status: 401, body: { detail: 'Token Expired' } };
    }
    return undefined;
  }

  #facts(dagId: string): DagFacts | undefined {
    const i = indexOfDagId(dagId, this.config.dagCount);
    return i < 0 ? undefined : this.#fleet[i];
  }

  #runsOf(facts: DagFacts): RunFacts[] {
    let runs = this.#runs.get(facts.index);
    if (!runs) {
      runs = runsOf(facts);
      this.#runs.set(facts.index, runs);
    }
    return runs;
  }

  #isPaused(facts: DagFacts): boolean {
    return this.#paused.get(facts.index) ?? facts.isPaused;
  }

  #pageLimit(raw: string | null): number {
    const fallback = this.config.apiVersion === 'v2' ? 50 : 100;
    const n = raw === null ? fallback : Number(raw);
    if (!Number.isFinite(n) || n < 0) return -1;
    if (n === 0) return fallback;
    return Math.min(Math.floor(n), this.config.pageClamp);
  }

  // --------------------------------------------------------------- routes

  #route(
    method: string,
    url: URL,
    headers: http.IncomingHttpHeaders,
    raw: string,
  ): { key: string; answer: Answer } {
    const v = this.config.apiVersion;
    const path = url.pathname;
    const other = v === 'v2' ? 'v1' : 'v2';

    if (path === '/auth/token' && method === 'POST') {
      const key = 'POST /auth/token';
      if (v !== 'v2') return { key, answer: problem(v, 404, 'Not Found') };
      let body: Record<string, unknown> = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return { key, answer: { status: 400, body: { detail: 'bad JSON' } } };
      }
      if (!body.username || !body.password) {
        return {
          key,
          answer: {
            status: 400,
            body: { detail: 'Username and password must be provided' },
          },
        };
      }
      if (
        body.username !== this.#username ||
        body.password !== this.#password
      ) {
        return {
          key,
          answer: { status: 401, body: { detail: 'Invalid credentials' } },
        };
      }
      return {
        key,
        answer: { status: 201, body: { access_token: this.#jwt() } },
      };
    }
    if (path === '/health') {
      const key = 'GET /health';
      if (v === 'v2') {
        return {
          key,
          answer: {
            status: 404,
            body: {
              error:
                'Moved in Airflow 3. Please change config to check `/api/v2/monitor/health`',
            },
          },
        };
      }
      return { key, answer: { status: 200, body: this.#health() } };
    }
    if (path.startsWith(`/api/${other}/`)) {
      const key = `${method} /api/${other}/*`;
      if (v === 'v2') {
        return {
          key,
          answer: {
            status: 404,
            body: {
              error:
                '/api/v1 has been removed in Airflow 3, please use its upgraded version /api/v2 instead.',
            },
          },
        };
      }
      return { key, answer: { status: 404, body: { detail: 'Not Found' } } };
    }
    if (!path.startsWith(`${this.prefix}/`)) {
      return {
        key: `${method} (unknown)`,
        answer: { status: 404, body: { detail: 'Not Found' } },
      };
    }
    const rest = path.slice(this.prefix.length);
    const p = this.prefix;

    // Unauthenticated routes.
    if (rest === '/version' && (v === 'v2' || !this.#checkAuth(headers))) {
      return {
        key: `GET ${p}/version`,
        answer: {
          status: 200,
          body: { version: v === 'v2' ? '3.3.2' : '2.10.5', git_version: null },
        },
      };
    }
    if (
      (v === 'v2' && rest === '/monitor/health') ||
      (v === 'v1' && rest === '/health')
    ) {
      return {
        key: `GET ${p}${rest}`,
        answer: { status: 200, body: this.#health() },
      };
    }

    const segments = rest.split('/').slice(1).map(decodeURIComponent);
    const key = `${method} ${p}/${segments
      .map((s, i) => {
        if (i === 1 && segments[0] === 'dags' && s !== '~') return '{dag_id}';
        if (i === 3 && segments[2] === 'dagRuns' && s !== '~' && s !== 'list')
          return '{dag_run_id}';
        return s;
      })
      .join('/')}`;
    const denied = this.#checkAuth(headers);
    if (denied) return { key, answer: denied };
    return { key, answer: this.#api(method, segments, url, raw) };
  }

  #health() {
    const beat = new Date().toISOString();
    return {
      metadatabase: { status: 'healthy' },
      scheduler: { status: 'healthy', latest_scheduler_heartbeat: beat },
      triggerer: { status: 'healthy', latest_triggerer_heartbeat: beat },
      dag_processor: {
        status: 'healthy',
        latest_dag_processor_heartbeat: beat,
      },
    };
  }

  #api(method: string, s: string[], url: URL, raw: string): Answer {
    const v = this.config.apiVersion;
    const notFound = (what: string) => problem(v, 404, what);
    if (s[0] !== 'dags') return notFound('Not Found');

    if (s.length === 1 && method === 'GET') return this.#listDags(url);

    if (
      s.length === 4 &&
      s[1] === '~' &&
      s[2] === 'dagRuns' &&
      s[3] === 'list'
    ) {
      if (method !== 'POST') return problem(v, 405, 'Method Not Allowed');
      return this.#batchRuns(raw);
    }

    const facts = this.#facts(s[1]);
    if (!facts) return notFound(`DAG with dag_id: '${s[1]}' not found`);

    if (s.length === 2 && method === 'GET') {
      return { status: 200, body: dagJson(facts, v, this.#isPaused(facts)) };
    }
    if (s.length === 2 && method === 'PATCH') {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw || '{}');
      } catch {
        return problem(v, 400, 'bad JSON');
      }
      if (
        typeof body.is_paused !== 'boolean' ||
        Object.keys(body).length !== 1
      ) {
        return problem(v, v === 'v2' ? 422 : 400, 'only is_paused may be set');
      }
      this.#paused.set(facts.index, body.is_paused);
      this.#dagJsonCache.delete(facts.index);
      return { status: 200, body: dagJson(facts, v, body.is_paused) };
    }
    if (s.length === 3 && s[2] === 'details' && method === 'GET') {
      return {
        status: 200,
        body: dagDetailsJson(facts, v, this.#isPaused(facts)),
      };
    }
    if (s[2] === 'dagRuns') {
      const runs = this.#runsOf(facts);
      if (s.length === 3 && method === 'GET') {
        const limit = this.#pageLimit(url.searchParams.get('limit'));
        const offset = Number(url.searchParams.get('offset') ?? 0);
        if (limit < 0 || !(offset >= 0))
          return problem(v, 400, 'bad limit/offset');
        const states = url.searchParams.getAll('state');
        const filtered = states.length
          ? runs.filter(r => states.includes(r.state))
          : runs;
        const sorted = ordered(
          filtered,
          url.searchParams.get('order_by') ?? (v === 'v2' ? 'id' : undefined),
        );
        return {
          status: 200,
          body: {
            dag_runs: sorted
              .slice(offset, offset + limit)
              .map(r => runJson(r, v)),
            total_entries: filtered.length,
          },
        };
      }
      const run = runs.find(r => r.runId === s[3]);
      if (!run) {
        return notFound(
          `The DagRun with dag_id: \`${facts.dagId}\` and run_id: \`${s[3]}\` was not found`,
        );
      }
      if (s.length === 4 && method === 'GET') {
        return { status: 200, body: runJson(run, v) };
      }
      if (s.length === 5 && s[4] === 'taskInstances' && method === 'GET') {
        const all = taskInstancesJson(run, v);
        const limit = this.#pageLimit(url.searchParams.get('limit'));
        const offset = Number(url.searchParams.get('offset') ?? 0);
        return {
          status: 200,
          body: {
            task_instances: all.slice(offset, offset + limit),
            total_entries: all.length,
          },
        };
      }
    }
    return notFound('Not Found');
  }

  #listDags(url: URL): Answer {
    const v = this.config.apiVersion;
    const q = url.searchParams;
    const limit = this.#pageLimit(q.get('limit'));
    const offset = Number(q.get('offset') ?? 0);
    if (limit < 0 || !(offset >= 0) || !Number.isInteger(offset)) {
      return problem(
        v,
        v === 'v2' ? 422 : 400,
        'limit and offset must be non-negative integers',
      );
    }
    const pattern = q.get('dag_id_pattern');
    const matches = pattern ? likeMatcher(pattern, v) : undefined;
    const tags = q.getAll('tags');
    const all = v === 'v2' && q.get('tags_match_mode') === 'all';
    const paused = q.get('paused');
    const desc = (q.get('order_by') ?? 'dag_id').startsWith('-');

    const filtered =
      matches !== undefined || tags.length > 0 || paused !== null;
    let selected = this.#fleet;
    if (filtered) {
      selected = this.#fleet.filter(facts => {
        if (matches && !matches(facts.dagId)) return false;
        if (tags.length > 0) {
          const hit = all
            ? tags.every(t => facts.tags.includes(t))
            : tags.some(t => facts.tags.includes(t));
          if (!hit) return false;
        }
        return paused === null || String(this.#isPaused(facts)) === paused;
      });
    }
    const total = selected.length;
    const page: DagFacts[] = [];
    for (let k = offset; k < Math.min(total, offset + limit); k++) {
      page.push(selected[desc ? total - 1 - k : k]);
    }
    return {
      status: 200,
      body: undefined,
      json: `{"dags":[${page
        .map(f => this.#dagListJson(f))
        .join(',')}],"total_entries":${total}}`,
    };
  }

  #batchRuns(raw: string): Answer {
    const v = this.config.apiVersion;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw || '{}');
    } catch {
      return problem(v, 400, 'bad JSON');
    }
    const allowed = v === 'v2' ? V2_BATCH_KEYS : V1_BATCH_KEYS;
    const extra = Object.keys(body).filter(k => !allowed.has(k));
    if (extra.length > 0) {
      if (v === 'v2') {
        return {
          status: 422,
          body: {
            detail: extra.map(k => ({
              type: 'extra_forbidden',
              loc: ['body', k],
              msg: 'Extra inputs are not permitted',
            })),
          },
        };
      }
      return problem(v, 400, `Extra properties: ${extra.join(', ')}`);
    }
    const ids = Array.isArray(body.dag_ids)
      ? (body.dag_ids as string[])
      : undefined;
    const limit = Number(body.page_limit ?? 100);
    const offset = Number(body.page_offset ?? 0);
    const states = Array.isArray(body.states) ? (body.states as string[]) : [];
    const timeKey = v === 'v2' ? 'run_after' : 'execution_date';
    const lte = body[`${timeKey}_lte`] ?? body.logical_date_lte;
    const gte = body[`${timeKey}_gte`] ?? body.logical_date_gte;
    const lteMs = typeof lte === 'string' ? Date.parse(lte) : undefined;
    const gteMs = typeof gte === 'string' ? Date.parse(gte) : undefined;

    const facts: DagFacts[] = [];
    if (ids) {
      for (const id of new Set(ids)) {
        const f = this.#facts(id);
        if (f) facts.push(f);
      }
    } else {
      facts.push(...this.#fleet);
    }
    let runs = facts.flatMap(f => this.#runsOf(f));
    runs = runs.filter(
      r =>
        (states.length === 0 || states.includes(r.state)) &&
        (lteMs === undefined || r.at <= lteMs) &&
        (gteMs === undefined || r.at >= gteMs),
    );
    const sorted = ordered(
      runs,
      typeof body.order_by === 'string' ? body.order_by : undefined,
    );
    return {
      status: 200,
      body: {
        dag_runs: sorted.slice(offset, offset + limit).map(r => runJson(r, v)),
        total_entries: sorted.length,
      },
    };
  }
}
