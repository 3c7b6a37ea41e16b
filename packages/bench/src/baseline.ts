/**
 * The baseline: the call pattern of the old frontend-only Airflow plugin,
 * replayed directly against the stand-in. Its DAG table lists every DAG of
 * the instance page by page (limit 100, one page after the other), keeps the
 * DAGs the entity names, then asks for each of them its latest runs and its
 * details, one call after the other.
 */
import { airflow } from './routes.ts';
import { ok } from './http.ts';
import type { ApiVersion } from './standin/data.ts';

export interface AirflowTarget {
  url: string;
  apiVersion: ApiVersion;
}

/** The `Authorization` header value the old plugin's proxy would add. */
export async function airflowAuth(t: AirflowTarget): Promise<string> {
  if (t.apiVersion === 'v1') {
    return `Basic ${Buffer.from('admin:admin').toString('base64')}`;
  }
  const res = await ok(`${t.url}${airflow.token}`, {
    method: 'POST',
    body: { username: 'admin', password: 'admin' },
  });
  return `Bearer ${res.body.access_token}`;
}

/** One page load of the old plugin for an entity naming `dagIds`; returns the calls it made. */
export async function oldPluginPageLoad(
  t: AirflowTarget,
  auth: string,
  dagIds: string[],
  runsPerDag = 5,
): Promise<{ calls: number; dags: number }> {
  const headers = { Authorization: auth };
  let calls = 0;
  const listed: string[] = [];
  for (let offset = 0; ; ) {
    const page = await ok(
      `${t.url}${airflow.dags(t.apiVersion, 100, offset)}`,
      { headers },
    );
    calls++;
    const dags = page.body.dags as { dag_id: string }[];
    listed.push(...dags.map(d => d.dag_id));
    offset += dags.length;
    if (dags.length === 0 || offset >= page.body.total_entries) break;
  }
  const wanted = new Set(dagIds);
  const shown = listed.filter(id => wanted.has(id));
  for (const dagId of shown) {
    await ok(`${t.url}${airflow.dagRuns(t.apiVersion, dagId, runsPerDag)}`, {
      headers,
    });
    await ok(`${t.url}${airflow.dagDetails(t.apiVersion, dagId)}`, { headers });
    calls += 2;
  }
  return { calls, dags: shown.length };
}

/** The calls {@link oldPluginPageLoad} must make: every list page, then two per shown DAG. */
export function expectedBaselineCalls(
  instanceDags: number,
  shownDags: number,
): number {
  return Math.max(1, Math.ceil(instanceDags / 100)) + 2 * shownDags;
}
