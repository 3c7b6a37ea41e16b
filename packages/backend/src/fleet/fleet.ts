/**
 * Helpers of the two-replica test (fleet.ftest.ts, run by scripts/fleet-test.sh):
 * production-built backend replicas started and killed as processes, each
 * reaching the real Airflow through its own counting proxy on loopback, and
 * their JSON log lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { eventually } from '../integration/harness';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run scripts/fleet-test.sh)`);
  return value;
};

/** One request a replica sent to Airflow. */
export interface AirflowCall {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of Airflow that records every request
 * of one replica; `hold` can delay the answer to chosen requests (to kill a
 * replica in the middle of a refresh), and is asked before `onCall`.
 */
export class CountingProxy {
  readonly calls: AirflowCall[] = [];
  hold?: (call: AirflowCall) => number;
  onCall?: (call: AirflowCall) => void;
  #server?: http.Server;
  port = 0;

  constructor(private readonly target: URL) {}

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const call: AirflowCall = {
        at: Date.now(),
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
      };
      this.calls.push(call);
      // `hold` decides before `onCall` sees the call: a hook that reacts to
      // the first matching call (and stops holding later ones) still holds it.
      const delay = this.hold?.(call) ?? 0;
      this.onCall?.(call);
      const upstream = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: this.target.host },
        },
        answer => {
          const send = () => {
            if (res.destroyed) {
              answer.resume();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          };
          if (delay > 0) setTimeout(send, delay);
          else send();
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  since(t: number, match: (call: AirflowCall) => boolean): AirflowCall[] {
    return this.calls.filter(c => c.at >= t && match(c));
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise(resolve => this.#server?.close(resolve));
  }
}

/** The ownership refresh's full DAG listing (the entity pages list DAGs by tag or id pattern only). */
export const isRefreshListing = (c: AirflowCall) =>
  c.method === 'GET' &&
  /\/api\/v[12]\/dags$/.test(c.path) &&
  !c.query.has('tags') &&
  !c.query.has('dag_id_pattern') &&
  Number(c.query.get('offset') ?? 0) === 0;

/** A JWT login (Airflow 3). */
export const isLogin = (c: AirflowCall) =>
  c.method === 'POST' && c.path.endsWith('/auth/token');

/** One production-built backend replica (`node packages/backend` in the production install). */
export class Replica {
  #child?: ChildProcess;
  #exited?: Promise<void>;
  readonly logFile: string;
  readonly proxy: CountingProxy;

  constructor(readonly name: string, readonly port: number, airflowUrl: URL) {
    this.logFile = path.join(env('FLEET_LOG_DIR'), `backend-${name}.log`);
    this.proxy = new CountingProxy(airflowUrl);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  #writeConfig(): string {
    const repo = env('REPO_ROOT');
    const file = path.join(
      env('FLEET_LOG_DIR'),
      `app-config.fleet-${this.name}.yaml`,
    );
    fs.writeFileSync(
      file,
      [
        'app:',
        `  baseUrl: http://localhost:${this.port}`,
        'backend:',
        `  baseUrl: http://localhost:${this.port}`,
        '  listen:',
        `    port: ${this.port}`,
        'auth:',
        '  providers:',
        '    guest:',
        '      dangerouslyAllowOutsideDevelopment: true',
        'catalog:',
        '  locations:',
        '    - type: file',
        `      target: ${repo}/examples/entities.yaml`,
        // The instance of app-config.yaml with a longer timeout: on the shared 2-core machine
        // Airflow's API server was seen not answering for 33 s while LocalExecutor started tasks.
        'airflow:',
        '  instances:',
        '    - name: local',
        '      baseUrl: ${AIRFLOW_BASE_URL}',
        '      apiVersion: auto',
        '      auth:',
        '        username: ${AIRFLOW_USERNAME}',
        '        password: ${AIRFLOW_PASSWORD}',
        '      timeoutSeconds: 60',
        '  ownership:',
        `    refreshIntervalMinutes: ${env('FLEET_REFRESH_MINUTES')}`,
        '',
      ].join('\n'),
    );
    return file;
  }

  async start(): Promise<void> {
    if (!this.proxy.port) await this.proxy.start();
    const out = fs.openSync(this.logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        'packages/backend',
        '--config',
        'app-config.yaml',
        '--config',
        'app-config.production.yaml',
        '--config',
        this.#writeConfig(),
      ],
      {
        cwd: env('FLEET_DIST'),
        env: {
          ...process.env,
          NODE_ENV: 'production',
          AIRFLOW_BASE_URL: this.proxy.url,
        },
        stdio: ['ignore', out, out],
        detached: true,
      },
    );
    fs.closeSync(out);
    this.#child = child;
    this.#exited = new Promise(resolve =>
      child.once('exit', () => {
        this.#child = undefined;
        resolve();
      }),
    );
    await eventually(
      `replica ${this.name} to be ready`,
      async () => {
        if (!this.#child) throw new Error(`replica ${this.name} exited`);
        const res = await fetch(`${this.url}/.backstage/health/v1/readiness`);
        return res.ok ? true : undefined;
      },
      240_000,
    );
  }

  /** Signals the replica's process group and waits until it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child?.pid) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 30_000);
    await this.#exited;
    clearTimeout(killer);
  }

  /** Resident memory of the replica's process in MiB (0 when not running). */
  rssMiB(): number {
    const pid = this.#child?.pid;
    if (!pid) return 0;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.round(kb / 1024);
    } catch {
      return 0;
    }
  }

  /** The JSON lines of its log (all starts). */
  logLines(): Array<Record<string, any>> {
    return fs
      .readFileSync(this.logFile, 'utf8')
      .split('\n')
      .flatMap(line => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line)];
        } catch {
          return [];
        }
      });
  }

  #token?: string;

  /** A guest token issued once the catalog knows the guest's group (owner actions need it). */
  async token(): Promise<string> {
    if (this.#token) return this.#token;
    this.#token = await eventually(
      `a guest token with group membership from ${this.name}`,
      async () => {
        const res = await fetch(`${this.url}/api/auth/guest/refresh`, {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        });
        if (!res.ok) return undefined;
        const body = (await res.json()) as any;
        const claims: string[] =
          body.backstageIdentity?.identity?.ownershipEntityRefs ?? [];
        return claims.includes('group:default/analytics')
          ? (body.backstageIdentity.token as string)
          : undefined;
      },
      180_000,
    );
    return this.#token;
  }

  /** Calls the Airflow plugin's API as the guest. */
  async api(
    apiPath: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}/api/airflow${apiPath}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${await this.token()}`,
        ...(init.body !== undefined
          ? { 'Content-Type': 'application/json' }
          : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  }
}

export const sleep = (ms: number) =>
  new Promise(resolve => setTimeout(resolve, ms));

/** Airflow's own API, called directly (never through a replica's proxy), to check what really happened. */
export class AirflowDirect {
  #token?: { value: string; at: number };

  constructor(readonly baseUrl: URL) {}

  async get(apiPath: string): Promise<any> {
    if (!this.#token || Date.now() - this.#token.at > 5_000) {
      const res = await fetch(new URL('/auth/token', this.baseUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          username: env('AIRFLOW_USERNAME'),
          password: env('AIRFLOW_PASSWORD'),
        }),
      });
      if (!res.ok) throw new Error(`Airflow login failed: ${res.status}`);
      this.#token = {
        value: ((await res.json()) as any).access_token,
        at: Date.now(),
      };
    }
    const res = await fetch(new URL(`/api/v2${apiPath}`, this.baseUrl), {
      headers: { Authorization: `Bearer ${this.#token.value}` },
    });
    if (!res.ok) throw new Error(`Airflow ${apiPath}: ${res.status}`);
    return res.json();
  }
}

/** Prints one line of the test's measurements (collected in the CI log). */
export function report(line: string): void {
  process.stdout.write(`[fleet] ${line}\n`);
  fs.appendFileSync(path.join(env('FLEET_LOG_DIR'), 'counts.txt'), `${line}\n`);
}
