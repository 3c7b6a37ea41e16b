import { expect, type Page } from '@playwright/test';

const AIRFLOW_BASE_URL =
  process.env.AIRFLOW_BASE_URL ?? 'http://127.0.0.1:8080';
const AIRFLOW_USERNAME = process.env.AIRFLOW_USERNAME ?? 'admin';
const AIRFLOW_PASSWORD = process.env.AIRFLOW_PASSWORD ?? 'admin';

const BASE_URL = process.env.E2E_BASE_URL ?? 'http://localhost:7007';

/**
 * Waits until the catalog knows the guest's team: a guest signed in earlier
 * gets a token without group ownership claims, and owner actions are denied.
 */
async function waitForGuestMembership() {
  await expect
    .poll(
      async () => {
        const refresh = await fetch(`${BASE_URL}/api/auth/guest/refresh`, {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        });
        if (!refresh.ok) return false;
        const token = ((await refresh.json()) as any).backstageIdentity.token;
        const user = await fetch(
          `${BASE_URL}/api/catalog/entities/by-name/user/default/guest`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        if (!user.ok) return false;
        const relations = ((await user.json()) as any).relations ?? [];
        return relations.some(
          (r: any) =>
            r.type === 'memberOf' && r.targetRef === 'group:default/analytics',
        );
      },
      { timeout: 120_000, intervals: [1000] },
    )
    .toBe(true);
}

/** Signs in with the guest provider (the guest analyst of examples/entities.yaml). */
export async function signInAsGuest(page: Page) {
  await waitForGuestMembership();
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page.getByRole('heading', { name: /Catalog/ }).first(),
  ).toBeVisible();
}

/** Opens a component's Airflow tab. */
export async function openAirflowTab(page: Page, name: string) {
  await page.goto(`/catalog/default/component/${name}/airflow`);
  await expect(
    page.getByRole('heading', { name: 'DAGs' }).first(),
  ).toBeVisible();
}

/** Reads a path of the real Airflow's API (to verify, never to act). */
async function airflowGet(path: string): Promise<any> {
  const login = await fetch(`${AIRFLOW_BASE_URL}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      username: AIRFLOW_USERNAME,
      password: AIRFLOW_PASSWORD,
    }),
  });
  const { access_token } = (await login.json()) as any;
  const res = await fetch(`${AIRFLOW_BASE_URL}/api/v2${path}`, {
    headers: { Authorization: `Bearer ${access_token}` },
  });
  return res.json();
}

/** Reads a DAG straight from the real Airflow's API (to verify, never to act). */
export async function airflowDag(dagId: string): Promise<any> {
  return airflowGet(`/dags/${encodeURIComponent(dagId)}`);
}

/** Reads a DAG run straight from the real Airflow's API (to verify, never to act). */
export async function airflowDagRun(
  dagId: string,
  runId: string,
): Promise<any> {
  return airflowGet(
    `/dags/${encodeURIComponent(dagId)}/dagRuns/${encodeURIComponent(runId)}`,
  );
}

/** Where the README's screenshots are written. */
export const SCREENSHOTS = 'docs/screenshots';
