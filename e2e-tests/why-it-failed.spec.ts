import { expect, test } from '@playwright/test';
import {
  SCREENSHOTS,
  airflowDagRun,
  openAirflowTab,
  signInAsGuest,
} from './helpers';

const BASE_URL = process.env.E2E_BASE_URL ?? 'http://localhost:7007';

/** What payments_reconciliation's reconcile task raises when the run's conf says `fail: true`. */
const FORCED_FAILURE =
  "Reconciliation failed on purpose: param/conf 'fail' is true";

/**
 * Triggers a DAG run through the plugin's API as the guest (as the trigger
 * dialog would): the failed run the test then looks into.
 */
async function triggerAsGuest(
  entity: string,
  dagId: string,
  conf: object,
): Promise<string> {
  const refresh = await fetch(`${BASE_URL}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(refresh.status).toBe(200);
  const token = ((await refresh.json()) as any).backstageIdentity.token;
  const res = await fetch(
    `${BASE_URL}/api/airflow/entities/component/default/${entity}/dags/local/${encodeURIComponent(
      dagId,
    )}/runs`,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ conf }),
    },
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as any).runId;
}

test.beforeEach(async ({ page }) => {
  await signInAsGuest(page);
});

test('one click on a failed DAG shows why it failed; the grid opens the task log', async ({
  page,
}) => {
  // A run that succeeds, then the latest one, which fails (its conf says so).
  const okRunId = await triggerAsGuest(
    'finance-reconciliation',
    'payments_reconciliation',
    { fail: false },
  );
  const runId = await triggerAsGuest(
    'finance-reconciliation',
    'payments_reconciliation',
    { fail: true },
  );
  for (const [id, state] of [
    [okRunId, 'success'],
    [runId, 'failed'],
  ]) {
    await expect
      .poll(
        async () =>
          (
            await airflowDagRun('payments_reconciliation', id)
          ).state as string,
        { timeout: 150_000, intervals: [2000] },
      )
      .toBe(state);
  }

  // The DAG tab of the component owning the DAG: its last run failed.
  await openAirflowTab(page, 'finance-reconciliation');
  const row = page
    .getByRole('row')
    .filter({ hasText: 'payments_reconciliation' })
    .first();
  await row.getByRole('button', { name: 'Why did it fail?' }).click();

  // One click: the failed task, the exception it raised and the log tail.
  const summary = page.getByRole('region', {
    name: `Why DAG run ${runId} failed`,
  });
  await expect(summary).toContainText('Task reconcile failed');
  await expect(summary).toContainText(`RuntimeError: ${FORCED_FAILURE}`);
  await expect(summary).toContainText('upstream failed: notify_finance');
  const tail = summary.getByTestId('failure-log-tail');
  await expect(tail).toContainText(FORCED_FAILURE);

  // The runs × tasks grid of the DAG; its cell of the failed task opens the log.
  await page.goto(
    `/catalog/default/component/finance-reconciliation/airflow?instance=local&dag=payments_reconciliation`,
  );
  await page.getByRole('button', { name: 'Grid', exact: true }).click();
  const grid = page.getByRole('grid', {
    name: 'Latest DAG runs × tasks of payments_reconciliation',
  });
  const cell = grid.getByRole('button', {
    name: `reconcile in ${runId}: failed`,
  });
  await expect(cell).toBeVisible();
  await expect(
    grid.getByRole('button', {
      name: `notify_finance in ${runId}: upstream failed`,
    }),
  ).toBeVisible();
  await expect(
    grid.getByRole('button', { name: `reconcile in ${okRunId}: success` }),
  ).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/dag-grid.png` });
  await cell.click();
  const dialog = page.getByRole('dialog', { name: 'Task reconcile' });
  await expect(dialog).toContainText(FORCED_FAILURE);
  await expect(dialog.getByRole('button', { name: /Try 1/ })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/task-log.png` });
});
