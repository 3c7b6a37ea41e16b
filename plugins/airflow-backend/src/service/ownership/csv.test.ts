import type { AirflowOwnershipDag } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { PassThrough, Writable } from 'node:stream';
import { OWNERSHIP_CSV_COLUMNS, writeOwnershipCsv } from './csv';

function dag(overrides: Partial<AirflowOwnershipDag>): AirflowOwnershipDag {
  return {
    instance: 'local',
    dagId: 'orders_etl',
    displayName: 'Orders ETL',
    webUrl: 'http://airflow.test/dags/orders_etl',
    isPaused: false,
    schedule: 'At 06:00',
    tags: ['etl', 'orders'],
    airflowOwners: ['airflow'],
    lastRunState: 'failed',
    lastRunDate: '2026-11-29T06:00:03Z',
    entities: [
      {
        entityRef: 'component:default/orders',
        title: 'Orders',
        owners: ['group:default/data-engineering'],
        namedBy: 'id',
      },
    ],
    owners: ['group:default/data-engineering'],
    hiddenEntityCount: 1,
    isOrphan: false,
    ...overrides,
  };
}

async function* each<T>(items: T[]) {
  yield* items;
}

async function csvOf(dags: AirflowOwnershipDag[]): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', c => chunks.push(c));
  await writeOwnershipCsv(each(dags), out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('writeOwnershipCsv', () => {
  it('writes a byte order mark, a header and one CRLF row per DAG, with the last run time and the Airflow URL', async () => {
    const text = await csvOf([
      dag({}),
      dag({
        dagId: 'tmp',
        displayName: 'Temp, "quoted"',
        entities: [],
        owners: [],
        hiddenEntityCount: 0,
        isOrphan: true,
        isPaused: true,
        lastRunState: null,
        lastRunDate: null,
        schedule: null,
        tags: [],
        webUrl: 'http://airflow.test/dags/tmp',
      }),
    ]);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.slice(1).split('\r\n')).toEqual([
      OWNERSHIP_CSV_COLUMNS.join(','),
      'local,orders_etl,Orders ETL,group:default/data-engineering,component:default/orders,1,false,false,failed,2026-11-29T06:00:03Z,At 06:00,etl; orders,airflow,http://airflow.test/dags/orders_etl',
      'local,tmp,"Temp, ""quoted""",,,0,true,true,,,,,airflow,http://airflow.test/dags/tmp',
      '',
    ]);
  });

  it('prefixes cells that spreadsheets would run as formulas with a quote', async () => {
    const text = await csvOf([
      dag({
        displayName: '=HYPERLINK("http://evil.test","x")',
        airflowOwners: ['+1', '@me'],
        schedule: '-2+3',
      }),
    ]);
    const row = text.split('\r\n')[1];
    expect(row).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
    expect(row).toContain(`,'-2+3,`);
    expect(row).toContain(`'+1; @me`);
    expect(row).not.toMatch(/,[=+\-@]/);
  });

  it('writes only the header for no DAGs', async () => {
    expect((await csvOf([])).slice(1)).toBe(
      `${OWNERSHIP_CSV_COLUMNS.join(',')}\r\n`,
    );
  });

  it('reads the DAGs only as fast as the output takes them (backpressure)', async () => {
    let produced = 0;
    async function* many() {
      for (let i = 0; i < 100_000; i++) {
        produced++;
        yield dag({ dagId: `dag_${i}` });
      }
    }
    let written = 0;
    let release!: () => void;
    const stalled = new Promise<void>(r => {
      release = r;
    });
    const slow = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, callback) {
        written++;
        // The first write never completes until released: the source must stop.
        if (written === 1) stalled.then(() => callback());
        else callback();
      },
    });
    const done = writeOwnershipCsv(many(), slow);
    await new Promise(r => setTimeout(r, 200));
    expect(produced).toBeLessThan(1000);
    release();
    await done;
    expect(produced).toBe(100_000);
  });
});
