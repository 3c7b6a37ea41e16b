import { expect, test } from '@playwright/test';

/*
 * Checks of the brand-new app that scripts/fresh-app.sh set up from the
 * README alone: its backend runs the published packages against the real
 * Airflow, and the entity annotated in the README shows its DAG with the
 * DAG run state Airflow itself reports.
 */

const APP_URL = process.env.FRESH_APP_URL ?? 'http://localhost:7008';
const AIRFLOW_BASE_URL =
  process.env.AIRFLOW_BASE_URL ?? 'http://127.0.0.1:8080';
const AIRFLOW_USERNAME = process.env.AIRFLOW_USERNAME ?? 'admin';
const AIRFLOW_PASSWORD = process.env.AIRFLOW_PASSWORD ?? 'admin';
/** The entity and DAG of the README's annotation step. */
const ENTITY = 'component/default/example-website';
const DAG_ID = 'inventory_snapshot';

async function guestToken(): Promise<string> {
  const res = await fetch(`${APP_URL}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as any).backstageIdentity.token;
}

async function app(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${APP_URL}${path}`, {
    headers: { Authorization: `Bearer ${await guestToken()}` },
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** The newest DAG run as the real Airflow reports it (read only). */
async function latestRunInAirflow(): Promise<{ runId: string; state: string }> {
  const login = await fetch(`${AIRFLOW_BASE_URL}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      username: AIRFLOW_USERNAME,
      password: AIRFLOW_PASSWORD,
    }),
  });
  const { access_token } = (await login.json()) as any;
  const res = await fetch(
    `${AIRFLOW_BASE_URL}/api/v2/dags/${DAG_ID}/dagRuns?order_by=-run_after&limit=1`,
    { headers: { Authorization: `Bearer ${access_token}` } },
  );
  const run = ((await res.json()) as any).dag_runs[0];
  return { runId: run.dag_run_id, state: run.state };
}

/** Waits until the catalog has read the annotated example entity. */
async function waitForEntity() {
  await expect
    .poll(
      async () => (await app(`/api/catalog/entities/by-name/${ENTITY}`)).status,
      {
        timeout: 120_000,
        intervals: [1000],
      },
    )
    .toBe(200);
}

test('the backend plugin answers /api/airflow/instances with the real Airflow', async () => {
  const unauthenticated = await fetch(`${APP_URL}/api/airflow/instances`);
  expect(unauthenticated.status).toBe(401);
  const res = await app('/api/airflow/instances');
  expect(res.status).toBe(200);
  expect(res.body.instances).toEqual([
    expect.objectContaining({
      name: 'default',
      apiVersion: 'v2',
      status: 'healthy',
    }),
  ]);
  expect(res.body.instances[0].version).toMatch(/^3\.\d+\.\d+/);
});

test('the annotated entity lists its DAG with the last run state Airflow reports', async () => {
  await waitForEntity();
  // The plugin caches DAG runs for airflow.cache.ttlSeconds (30 s by default).
  await expect
    .poll(
      async () => {
        const expected = await latestRunInAirflow();
        const res = await app(`/api/airflow/entities/${ENTITY}/dags`);
        const dag = res.body?.dags?.find((d: any) => d.dagId === DAG_ID);
        const newest = dag?.recentRuns?.[0];
        return (
          newest &&
          newest.runId === expected.runId &&
          newest.state === expected.state
        );
      },
      { timeout: 120_000, intervals: [5000] },
    )
    .toBe(true);
});

test('the owner policy module decides the Airflow permissions, not the allow-all policy', async () => {
  await waitForEntity();
  const resource = (name: string, action: string) => ({
    type: 'resource',
    resourceType: 'catalog-entity',
    name,
    attributes: { action },
  });
  const res = await fetch(`${APP_URL}/api/permission/authorize`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${await guestToken()}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      items: [
        {
          id: 'read',
          permission: resource('airflow.dag.read', 'read'),
          resourceRef: 'component:default/example-website',
        },
        // the guest (user:development/guest) owns nothing and is no admin
        {
          id: 'trigger',
          permission: resource('airflow.dag.trigger', 'create'),
          resourceRef: 'component:default/example-website',
        },
        {
          id: 'catalog',
          permission: resource('catalog.entity.read', 'read'),
          resourceRef: 'component:default/example-website',
        },
      ],
    }),
  });
  expect(res.status).toBe(200);
  const items = ((await res.json()) as any).items;
  expect(items.map((i: any) => [i.id, i.result])).toEqual([
    ['read', 'ALLOW'],
    ['trigger', 'DENY'],
    ['catalog', 'ALLOW'],
  ]);
});

test('in Chromium, the Airflow tab of the annotated entity lists its DAG with its real last run state', async ({
  page,
}) => {
  await waitForEntity();
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  // The guest session is stored once the sign-in page is gone; navigating before that shows it again.
  await expect(enter).toBeHidden();
  await expect
    .poll(
      async () => {
        const expected = await latestRunInAirflow();
        await page.goto(`/catalog/default/component/example-website/airflow`);
        const row = page.getByRole('row').filter({ hasText: DAG_ID }).first();
        await expect(row).toBeVisible();
        const runs = row
          .getByRole('list', { name: 'Latest DAG runs' })
          .getByRole('listitem');
        const names = await runs.evaluateAll(items =>
          items.map(i => i.getAttribute('aria-label')),
        );
        const label = expected.state.replace(/_/g, ' ');
        // The strip shows the oldest run first; the newest is the last item.
        // The "Last run" column shows the newest run's state.
        return (
          names[names.length - 1] === `DAG run ${expected.runId}: ${label}` &&
          ((await row.textContent()) ?? '').includes(label)
        );
      },
      { timeout: 150_000, intervals: [5000] },
    )
    .toBe(true);
  await page.screenshot({
    path: `${process.env.FRESH_APP_OUT ?? '.ci-out/fresh-app'}/airflow-tab.png`,
    fullPage: true,
  });
});
