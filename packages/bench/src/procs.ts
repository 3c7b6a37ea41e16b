/**
 * Child processes of the suite (stand-ins, backends): started with their
 * output in a log file, stopped by their own PID (SIGTERM, then SIGKILL),
 * all of them when the suite exits or is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  log: string;
  stop(): Promise<void>;
  /** Resident set size in MB, from /proc (Linux). */
  rssMb(): number;
}

const running = new Set<Proc>();

export function rssMbOf(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function startProc(
  name: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; log: string },
): Proc {
  const fd = fs.openSync(options.log, 'w');
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  const proc: Proc = {
    name,
    pid: child.pid,
    child,
    log: options.log,
    rssMb: () => rssMbOf(child.pid as number),
    async stop() {
      running.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  return proc;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(p => p.stop()));
}

function killAllNow() {
  for (const p of running) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllNow();
    process.exit(130);
  });
}
