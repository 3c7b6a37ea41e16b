import { expect, test } from '@playwright/test';
import {
  SCREENSHOTS,
  airflowDag,
  airflowDagRun,
  openAirflowTab,
  signInAsGuest,
} from './helpers';

test.beforeEach(async ({ page }) => {
  await signInAsGuest(page);
});

test('an owned component shows its DAGs with their real latest run states', async ({
  page,
}) => {
  await openAirflowTab(page, 'analytics-reports');
  const table = page.getByRole('table').first();
  await expect(table.getByText('sales_daily_report').first()).toBeVisible();
  await expect(table.getByText('marketing_attribution').first()).toBeVisible();
  // The run strip shows runs the real scheduler made, with their states.
  const strip = page.getByRole('list', { name: 'Latest DAG runs' }).first();
  await expect(strip.getByRole('listitem').first()).toHaveAccessibleName(
    /DAG run .+: (success|failed|running|queued)/,
  );
  await page.screenshot({
    path: `${SCREENSHOTS}/airflow-tab.png`,
    fullPage: true,
  });
});

test('the overview card lists the DAGs with their last run state', async ({
  page,
}) => {
  await page.goto('/catalog/default/component/orders-pipeline');
  const card = page.getByText('Airflow DAGs').first();
  await expect(card).toBeVisible();
  await expect(
    page
      .getByRole('list', { name: 'DAGs' })
      .getByText('orders_etl_hourly')
      .first(),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'View DAGs and DAG runs' }),
  ).toBeVisible();
  await page
    .locator('.MuiCard-root, [class*="InfoCard"]')
    .filter({ hasText: 'Airflow DAGs' })
    .last()
    .screenshot({ path: `${SCREENSHOTS}/airflow-card.png` });
});

test('an owner triggers a run with a conf and watches it appear and finish', async ({
  page,
}) => {
  await openAirflowTab(page, 'analytics-reports');
  const row = page
    .getByRole('row')
    .filter({ hasText: 'sales_daily_report' })
    .first();
  await row.getByRole('button', { name: 'Trigger DAG run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Trigger DAG run' });
  // The form generated from the DAG's params, prefilled with their defaults.
  const region = dialog.getByRole('combobox', { name: 'region' });
  await expect(region).toContainText('Europe, Middle East and Africa');
  await region.click();
  await page.getByRole('option', { name: 'Asia-Pacific' }).click();
  const topN = dialog.getByRole('spinbutton', { name: 'top_n' });
  await expect(topN).toHaveValue('10');
  // Out of bounds: refused on the field before anything is sent.
  await topN.fill('500');
  await expect(dialog.getByText('must be at most 100').first()).toBeVisible();
  const triggerButton = dialog.getByRole('button', {
    name: 'Trigger',
    exact: true,
  });
  await expect(triggerButton).toBeDisabled();
  await topN.fill('3');
  await expect(dialog.getByText('must be at most 100')).toHaveCount(0);
  await dialog.getByRole('switch', { name: 'include_returns' }).click();
  await dialog
    .getByRole('textbox', { name: 'report_title' })
    .fill('Browser test');
  await dialog
    .getByRole('textbox', { name: 'Note' })
    .fill('from the browser test');
  await page.screenshot({ path: `${SCREENSHOTS}/trigger-dialog.png` });
  // The JSON tab shows the same config, in a code editor.
  await dialog.getByRole('tab', { name: 'JSON' }).click();
  const editor = dialog.getByRole('textbox', { name: 'Run config (conf)' });
  await expect(editor).toContainText('"region": "apac"');
  await expect(editor).toContainText('"top_n": 3');
  await page.screenshot({ path: `${SCREENSHOTS}/trigger-dialog-json.png` });
  await expect(triggerButton).toBeEnabled();
  await triggerButton.click();
  const runLink = dialog.getByRole('link', { name: 'Open DAG run in Airflow' });
  await expect(runLink).toBeVisible();
  const href = await runLink.getAttribute('href');
  expect(href).toMatch(/\/dags\/sales_daily_report\/runs\/backstage__/);
  const runId = decodeURIComponent(href!.split('/runs/')[1]);
  // Airflow got exactly the config the form showed.
  expect((await airflowDagRun('sales_daily_report', runId)).conf).toEqual({
    region: 'apac',
    top_n: 3,
    include_returns: true,
    report_title: 'Browser test',
    report_date: null,
  });
  await dialog.getByRole('button', { name: 'Close' }).click();

  await row.getByRole('button', { name: 'Show DAG runs' }).click();
  const runs = page.getByRole('table').filter({ hasText: runId }).first();
  const runRow = runs.getByRole('row').filter({ hasText: runId }).first();
  await expect(runRow).toBeVisible();
  await expect(runRow).toContainText('from the browser test');
  // The view refreshes itself until the run settles.
  await expect(runRow).toContainText(/success/i, { timeout: 150_000 });
  await page.screenshot({
    path: `${SCREENSHOTS}/dag-runs.png`,
    fullPage: true,
  });
});

test('an owner pauses and unpauses a DAG', async ({ page }) => {
  await openAirflowTab(page, 'analytics-reports');
  const row = page
    .getByRole('row')
    .filter({ hasText: 'marketing_attribution' })
    .first();
  // On = active, as in Airflow's own UI: switching off pauses.
  const toggle = row.getByRole('switch', { name: 'DAG active' });
  await expect(toggle).toBeChecked();
  await toggle.click();
  await expect(toggle).not.toBeChecked();
  await expect(row.getByText('Paused', { exact: true })).toBeVisible();
  await expect
    .poll(async () => (await airflowDag('marketing_attribution')).is_paused)
    .toBe(true);
  await toggle.click();
  await expect(toggle).toBeChecked();
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
  await expect
    .poll(async () => (await airflowDag('marketing_attribution')).is_paused)
    .toBe(false);
});

test('an owner triggers a paused DAG with "Unpause and trigger" and sees it run', async ({
  page,
}) => {
  await openAirflowTab(page, 'analytics-reports');
  const row = page
    .getByRole('row')
    .filter({ hasText: 'marketing_attribution' })
    .first();
  // Paused through the tab first, as an owner would.
  const toggle = row.getByRole('switch', { name: 'DAG active' });
  await expect(toggle).toBeChecked();
  await toggle.click();
  await expect
    .poll(async () => (await airflowDag('marketing_attribution')).is_paused)
    .toBe(true);
  await row.getByRole('button', { name: 'Trigger DAG run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Trigger DAG run' });
  await expect(dialog).toContainText(
    'a run you trigger stays queued until the DAG is unpaused',
  );
  await dialog.getByRole('button', { name: 'Unpause and trigger' }).click();
  const runLink = dialog.getByRole('link', { name: 'Open DAG run in Airflow' });
  await expect(runLink).toBeVisible();
  const runId = decodeURIComponent(
    (await runLink.getAttribute('href'))!.split('/runs/')[1],
  );
  // Airflow has the DAG unpaused and the run, which the scheduler then runs to the end.
  expect((await airflowDag('marketing_attribution')).is_paused).toBe(false);
  await expect
    .poll(
      async () =>
        (await airflowDagRun('marketing_attribution', runId)).state as string,
      { timeout: 150_000, intervals: [2000] },
    )
    .toBe('success');
  await dialog.getByRole('button', { name: 'Close' }).click();
  // Active again.
  await expect(toggle).toBeChecked();
});

test('on a component the user does not own, the DAGs show but the actions are disabled', async ({
  page,
}) => {
  await openAirflowTab(page, 'orders-pipeline');
  const row = page
    .getByRole('row')
    .filter({ hasText: 'orders_etl_hourly' })
    .first();
  await expect(row).toBeVisible();
  await expect(
    row.getByRole('button', { name: 'Trigger DAG run' }),
  ).toBeDisabled();
  await expect(row.getByRole('switch', { name: 'DAG active' })).toBeDisabled();
  // The tooltip says why.
  await row
    .getByRole('button', { name: 'Trigger DAG run' })
    .locator('xpath=..')
    .hover();
  await expect(page.getByRole('tooltip')).toHaveText(
    'Only owners of this entity (group:default/data-engineering) may trigger DAG runs (airflow.dag.trigger)',
  );
  await page.screenshot({
    path: `${SCREENSHOTS}/airflow-tab-not-owner.png`,
    fullPage: true,
  });
});

test('annotated DAGs that Airflow does not have are listed as missing', async ({
  page,
}) => {
  await openAirflowTab(page, 'platform-maintenance');
  await expect(page.getByRole('list', { name: 'Missing DAGs' })).toContainText(
    'nightly_vacuum',
  );
  await expect(
    page.getByRole('row').filter({ hasText: 'legacy_cleanup' }).first(),
  ).toBeVisible();
});
