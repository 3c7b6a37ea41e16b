import { expect, test } from '@playwright/test';
import { SCREENSHOTS, openAirflowTab, signInAsGuest } from './helpers';

test.beforeEach(async ({ page }) => {
  await signInAsGuest(page);
});

test('a failed run shows its failed task, exception and log tail one click from the DAG tab', async ({
  page,
}) => {
  await openAirflowTab(page, 'finance-reconciliation');
  const row = () =>
    page
      .getByRole('row')
      .filter({ hasText: 'payments_reconciliation' })
      .first();
  // A run that fails for sure: the DAG raises when its param `fail` is true.
  await row().getByRole('button', { name: 'Trigger DAG run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Trigger DAG run' });
  await dialog
    .getByRole('textbox', { name: 'Run config (conf)' })
    .fill('{"fail": true}');
  await dialog.getByRole('button', { name: 'Trigger', exact: true }).click();
  await expect(
    dialog.getByRole('link', { name: 'Open DAG run in Airflow' }),
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Wait for the real scheduler to run it into its failure.
  await expect
    .poll(
      async () => {
        await openAirflowTab(page, 'finance-reconciliation');
        return row().getByRole('button', { name: 'Why did it fail?' }).count();
      },
      { timeout: 150_000, intervals: [5000] },
    )
    .toBe(1);

  // One click: the failed task, the exception the DAG raises and the log tail.
  await row().getByRole('button', { name: 'Why did it fail?' }).click();
  const summary = page.getByRole('region', { name: /^Why DAG run .+ failed$/ });
  await expect(summary).toContainText('Task reconcile failed');
  await expect(summary).toContainText(
    "RuntimeError: Reconciliation failed on purpose: param/conf 'fail' is true",
  );
  await expect(summary.getByTestId('failure-log-tail')).toBeVisible();
  await page.screenshot({
    path: `${SCREENSHOTS}/failure-summary.png`,
    fullPage: true,
  });

  // The failed task opens with its tries and its log in the LogViewer.
  await summary.getByRole('button', { name: 'failed: reconcile' }).click();
  const task = page.getByRole('dialog', { name: /Task reconcile/ });
  await expect(task.getByRole('button', { name: /^Try 1/ })).toBeVisible();
  await expect(task.getByTestId('task-log')).toContainText(
    'Reconciliation failed on purpose',
  );
  await expect(task).toContainText('@task');
  await page.screenshot({ path: `${SCREENSHOTS}/task-log.png` });
  await task.getByRole('button', { name: 'Close' }).click();

  // The runs × tasks grid of the DAG.
  await row().getByRole('button', { name: 'Show DAG runs' }).click();
  await page.getByRole('button', { name: 'Grid' }).click();
  const grid = page.getByRole('grid', { name: /payments_reconciliation/ });
  await expect(
    grid.getByRole('button', { name: /^reconcile in .+: failed$/ }).first(),
  ).toBeVisible();
  await page.screenshot({
    path: `${SCREENSHOTS}/dag-grid.png`,
    fullPage: true,
  });
});
