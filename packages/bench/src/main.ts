/**
 * The benchmark suite's command line.
 *
 *   node packages/bench/src/main.ts run    [--repeats 5] [--latency 20] [--fleet 10000]
 *                                          [--entities 500] [--soak-minutes 10] [--only P1,P2,...]
 *   node packages/bench/src/main.ts smoke  (counts only, small fleet, no timing; for .ci/run)
 *   node packages/bench/src/main.ts standin --api v2 --port 29000 --dags 1000 --latency 20
 *   node packages/bench/src/main.ts p6
 *
 * Ports (loopback only): stand-ins BENCH_STANDIN_PORT (29000) and +1,
 * backends BENCH_BACKEND_PORT (7200) and +1. Work files in packages/bench/.work/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Standin } from './standin/server.ts';
import type { ApiVersion } from './standin/data.ts';
import { stopAll } from './procs.ts';
import { REPO_ROOT, WORK_DIR } from './system.ts';
import { p6Report } from './p6.ts';
import { table } from './stats.ts';
import { runSuite, runSmoke } from './scenarios.ts';

const [command, ...rest] = process.argv.slice(2);

async function main() {
  switch (command) {
    case 'standin': {
      const { values } = parseArgs({
        args: rest,
        options: {
          api: { type: 'string', default: 'v2' },
          port: { type: 'string', default: '29000' },
          dags: { type: 'string', default: '1000' },
          latency: { type: 'string', default: '0' },
        },
      });
      const standin = new Standin({
        apiVersion: values.api as ApiVersion,
        dagCount: Number(values.dags),
        latencyMs: Number(values.latency),
      });
      const port = await standin.listen(Number(values.port));
      console.log(
        `Airflow stand-in (${values.api}, ${values.dags} DAGs, ${values.latency} ms) on http://127.0.0.1:${port}`,
      );
      const stop = () => standin.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      return;
    }
    case 'p6': {
      const r = p6Report(REPO_ROOT);
      console.log(JSON.stringify(r, null, 2));
      return;
    }
    case 'run':
    case 'smoke': {
      const { values } = parseArgs({
        args: rest,
        options: {
          repeats: { type: 'string', default: '5' },
          latency: { type: 'string', default: '20' },
          fleet: { type: 'string', default: '10000' },
          entities: { type: 'string', default: '500' },
          'soak-minutes': { type: 'string', default: '10' },
          only: { type: 'string' },
        },
      });
      fs.mkdirSync(WORK_DIR, { recursive: true });
      const started = new Date();
      const result =
        command === 'smoke'
          ? await runSmoke()
          : await runSuite({
              repeats: Number(values.repeats),
              latencyMs: Number(values.latency),
              fleetPerInstance: Number(values.fleet),
              entities: Number(values.entities),
              soakMinutes: Number(values['soak-minutes']),
              only: values.only ? new Set(values.only.split(',')) : undefined,
            });
      const text = [
        `# Benchmark ${command} ${started.toISOString()}`,
        '',
        result.header,
        '',
        table(result.rows),
        '',
        ...result.notes.map(n => `- ${n}`),
        '',
      ].join('\n');
      console.log(text);
      const stamp = started.toISOString().replace(/[:.]/g, '-');
      const file = path.join(WORK_DIR, `${command}-${stamp}`);
      fs.writeFileSync(`${file}.md`, text);
      fs.writeFileSync(`${file}.json`, JSON.stringify(result, null, 2));
      console.log(`(written to ${file}.md and .json)`);
      if (result.failures.length > 0) {
        console.log(
          `FAILED checks:\n${result.failures.map(f => `- ${f}`).join('\n')}`,
        );
        process.exitCode = 1;
      }
      return;
    }
    default:
      console.error(
        'usage: main.ts run|smoke|standin|p6 [options] (see the header of main.ts)',
      );
      process.exitCode = 2;
  }
}

main()
  .catch(error => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (command !== 'standin') {
      await stopAll();
    }
  });
