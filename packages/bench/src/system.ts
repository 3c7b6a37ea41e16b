/**
 * Starting what the suite measures: the stand-ins (one child process per
 * instance) and the example backend as built for production
 * (`yarn build:backend` → packages/backend/dist/bundle.tar.gz, unpacked and run
 * with `node packages/backend`, NODE_ENV=production, as the Backstage
 * production image does). The unpacked build resolves its third-party
 * dependencies from the repository's installed node_modules (through a
 * node_modules of symlinks), and its own workspace packages from the build.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { core, plugin, side } from './routes.ts';
import { ok, request, sleep, until } from './http.ts';
import { type Proc, startProc } from './procs.ts';
import type { ApiVersion } from './standin/data.ts';
import type { StandinConfig, StandinCounts } from './standin/server.ts';

export const BENCH_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
export const REPO_ROOT = path.resolve(BENCH_DIR, '../..');
export const WORK_DIR =
  process.env.BENCH_WORK_DIR ?? path.join(BENCH_DIR, '.work');

// ------------------------------------------------------------------ stand-ins

export interface StandinHandle {
  name: string;
  apiVersion: ApiVersion;
  port: number;
  url: string;
  proc: Proc;
  counts(): Promise<StandinCounts>;
  reset(): Promise<void>;
  configure(
    patch: Partial<Omit<StandinConfig, 'apiVersion'>>,
  ): Promise<StandinConfig>;
}

export async function startStandin(o: {
  name: string;
  apiVersion: ApiVersion;
  port: number;
  dagCount: number;
  latencyMs: number;
}): Promise<StandinHandle> {
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const proc = startProc(
    `standin-${o.name}`,
    [
      path.join(BENCH_DIR, 'src/main.ts'),
      'standin',
      '--api',
      o.apiVersion,
      '--port',
      String(o.port),
      '--dags',
      String(o.dagCount),
      '--latency',
      String(o.latencyMs),
    ],
    { cwd: BENCH_DIR, log: path.join(WORK_DIR, `standin-${o.name}.log`) },
  );
  const url = `http://127.0.0.1:${o.port}`;
  await until(
    `stand-in ${o.name} on ${url}`,
    async () => {
      if (proc.child.exitCode !== null)
        throw new Error(`exited; see ${proc.log}`);
      const res = await request(`${url}${side.config}`);
      return res.status === 200 ? true : undefined;
    },
    20_000,
    200,
  );
  return {
    name: o.name,
    apiVersion: o.apiVersion,
    port: o.port,
    url,
    proc,
    counts: async () => (await ok(`${url}${side.counts}`)).body,
    reset: async () => {
      await ok(`${url}${side.reset}`, { method: 'POST' });
    },
    configure: async patch =>
      (await ok(`${url}${side.config}`, { method: 'POST', body: patch })).body,
  };
}

/** Sum of the counts of several stand-ins, with each route key prefixed by the instance name. */
export async function countsOf(standins: StandinHandle[]) {
  let total = 0;
  const byRoute: Record<string, number> = {};
  for (const s of standins) {
    const c = await s.counts();
    total += c.total;
    for (const [k, n] of Object.entries(c.byRoute))
      byRoute[`${s.name} ${k}`] = n;
  }
  return { total, byRoute };
}

/** Waits until no stand-in has answered a call for `quietMs` (background work of the backend has settled). */
export async function quiesce(
  standins: StandinHandle[],
  quietMs = 1500,
  timeoutMs = 120_000,
) {
  let last = -1;
  let stableSince = Date.now();
  const start = Date.now();
  for (;;) {
    const { total } = await countsOf(standins);
    if (total !== last) {
      last = total;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) {
      return;
    }
    if (Date.now() - start > timeoutMs) return;
    await sleep(250);
  }
}

// -------------------------------------------------------------------- backend

/** Unpacks the production bundle of packages/backend into the work folder (once per build). */
export function prepareProductionBackend(): string {
  const bundle = path.join(REPO_ROOT, 'packages/backend/dist/bundle.tar.gz');
  if (!fs.existsSync(bundle)) {
    throw new Error(
      `${bundle} is missing: build the backend for production first (yarn tsc && yarn build:backend, or yarn build:all)`,
    );
  }
  const dir = path.join(WORK_DIR, 'backend-prod');
  const stat = fs.statSync(bundle);
  const stamp = `${stat.size}:${stat.mtimeMs}`;
  const stampFile = path.join(dir, '.bench-stamp');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp)
    return dir;

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', bundle, '-C', dir]);

  // node_modules of the build: the workspace packages from the build itself,
  // everything else as a symlink to the installed dependency.
  const own = new Map<string, string>();
  for (const ws of ['packages', 'plugins']) {
    const wsDir = path.join(dir, ws);
    if (!fs.existsSync(wsDir)) continue;
    for (const name of fs.readdirSync(wsDir)) {
      const pkgFile = path.join(wsDir, name, 'package.json');
      if (fs.existsSync(pkgFile)) {
        own.set(
          JSON.parse(fs.readFileSync(pkgFile, 'utf8')).name,
          path.join(wsDir, name),
        );
      }
    }
  }
  const from = path.join(REPO_ROOT, 'node_modules');
  const to = path.join(dir, 'node_modules');
  fs.mkdirSync(to);
  for (const entry of fs.readdirSync(from)) {
    if (entry === '.bin' || entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      fs.mkdirSync(path.join(to, entry));
      for (const sub of fs.readdirSync(path.join(from, entry))) {
        const name = `${entry}/${sub}`;
        fs.symlinkSync(
          own.get(name) ?? path.join(from, name),
          path.join(to, name),
        );
      }
    } else {
      fs.symlinkSync(
        own.get(entry) ?? path.join(from, entry),
        path.join(to, entry),
      );
    }
  }
  for (const [name, target] of own) {
    const link = path.join(to, name);
    if (!fs.existsSync(link)) {
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(target, link);
    }
  }
  fs.writeFileSync(stampFile, stamp);
  return dir;
}

export interface BackendHandle {
  name: string;
  url: string;
  proc: Proc;
  token: string;
  stop(): Promise<void>;
}

/** A fresh guest token (the guest's group claims need its User entity in the catalog). */
export async function guestToken(url: string): Promise<string> {
  const res = await ok(`${url}${core.guestToken}`, {
    method: 'POST',
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  return res.body.backstageIdentity.token;
}

export async function startBackend(o: {
  name: string;
  port: number;
  configFile: string;
  components: number;
}): Promise<BackendHandle> {
  const dir = prepareProductionBackend();
  const proc = startProc(
    `backend-${o.name}`,
    ['packages/backend', '--config', o.configFile],
    {
      cwd: dir,
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        BENCH_REFERENCE_PLUGIN: '1',
        // For profiling the backend alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
        ...(process.env.BENCH_BACKEND_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.BENCH_BACKEND_NODE_OPTIONS }
          : {}),
      },
      log: path.join(WORK_DIR, `backend-${o.name}.log`),
    },
  );
  const url = `http://127.0.0.1:${o.port}`;
  await until(
    `backend ${o.name} on ${url}`,
    async () => {
      if (proc.child.exitCode !== null)
        throw new Error(`exited with ${proc.child.exitCode}; see ${proc.log}`);
      const res = await request(`${url}${plugin.instances}`);
      return res.status === 401 || res.status === 200 ? true : undefined;
    },
    180_000,
    500,
  );
  // The catalog: every bench component, and the guest's membership (so its token has its claims).
  let token = '';
  await until(
    `catalog of ${o.name} to hold ${o.components} components`,
    async () => {
      token = await guestToken(url);
      const res = await request(`${url}${core.componentCount}`, { token });
      if (res.status !== 200 || res.body.totalItems < o.components)
        return undefined;
      const guest = await request(
        `${url}${core.entityByName('user', 'guest')}`,
        { token },
      );
      return guest.status === 200 &&
        (guest.body.relations ?? []).some((r: any) => r.type === 'memberOf')
        ? true
        : undefined;
    },
    300_000,
    1000,
  );
  token = await guestToken(url);
  return { name: o.name, url, proc, token, stop: () => proc.stop() };
}
