import { stringify } from 'csv-stringify';
import type { AirflowOwnershipDag } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** File name of the CSV export. */
export const OWNERSHIP_CSV_FILENAME = 'airflow-dags-and-owners.csv';

/** Columns of the CSV export, in order. */
export const OWNERSHIP_CSV_COLUMNS = [
  'instance',
  'dag_id',
  'display_name',
  'owners',
  'entities',
  'hidden_entities',
  'orphan',
  'paused',
  'last_run_state',
  'last_run_time',
  'schedule',
  'tags',
  'airflow_owners',
  'airflow_url',
] as const;

function record(dag: AirflowOwnershipDag): Record<string, unknown> {
  return {
    instance: dag.instance,
    dag_id: dag.dagId,
    display_name: dag.displayName,
    owners: dag.owners.join('; '),
    entities: dag.entities.map(e => e.entityRef).join('; '),
    hidden_entities: dag.hiddenEntityCount,
    orphan: dag.isOrphan,
    paused: dag.isPaused,
    last_run_state: dag.lastRunState ?? '',
    last_run_time: dag.lastRunDate ?? '',
    schedule: dag.schedule ?? '',
    tags: dag.tags.join('; '),
    airflow_owners: dag.airflowOwners.join('; '),
    airflow_url: dag.webUrl,
  };
}

async function* records(dags: AsyncIterable<AirflowOwnershipDag>) {
  for await (const dag of dags) yield record(dag);
}

/**
 * Streams `dags` as CSV into `out` (RFC 4180 with CRLF, a UTF-8 byte order
 * mark and a header row), with backpressure: rows are read from `dags` only
 * as fast as `out` takes them. Cells that spreadsheets would run as formulas
 * (starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed
 * with `'` by csv-stringify's `escape_formulas`.
 */
export async function writeOwnershipCsv(
  dags: AsyncIterable<AirflowOwnershipDag>,
  out: Writable,
): Promise<void> {
  await pipeline(
    Readable.from(records(dags)),
    stringify({
      header: true,
      columns: [...OWNERSHIP_CSV_COLUMNS],
      bom: true,
      record_delimiter: 'windows',
      escape_formulas: true,
      cast: { boolean: value => (value ? 'true' : 'false') },
    }),
    out,
  );
}
