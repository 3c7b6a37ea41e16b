import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { SCREENSHOTS, signInAsGuest } from './helpers';

test.beforeEach(async ({ page }) => {
  await signInAsGuest(page);
});

test('the ownership page flags the orphan DAG and lists each team under its DAGs', async ({
  page,
}) => {
  await page.getByRole('link', { name: 'Airflow DAGs' }).first().click();
  const table = page.getByRole('region', { name: 'DAGs and owners' });
  await expect(table).toBeVisible();

  const orphan = table
    .getByRole('row')
    .filter({ hasText: 'orphan_temp_export' });
  await expect(orphan.getByText('Orphan', { exact: true })).toBeVisible();

  const payments = table
    .getByRole('row')
    .filter({ hasText: 'payments_reconciliation' });
  await expect(payments).toContainText('Analytics');
  await expect(payments).toContainText('Data Engineering');
  const etl = table.getByRole('row').filter({ hasText: 'orders_etl_hourly' });
  await expect(etl).toContainText('Data Engineering');
  await expect(etl.getByText('Orphan', { exact: true })).toHaveCount(0);

  await expect(
    page.getByRole('button', { name: /^Orphans: 1$/ }),
  ).toBeVisible();
  await expect(
    page.getByRole('region', { name: 'Dangling references' }),
  ).toContainText('nightly_vacuum');
  await page.screenshot({
    path: `${SCREENSHOTS}/ownership-page.png`,
    fullPage: true,
  });

  // "Orphans only" leaves the one orphan.
  await page.getByRole('switch', { name: 'Orphans only' }).click();
  await expect(
    table.getByRole('row').filter({ hasText: 'orphan_temp_export' }),
  ).toBeVisible();
  await expect(
    table.getByRole('row').filter({ hasText: 'orders_etl_hourly' }),
  ).toHaveCount(0);
});

test('filters, sorting and pages live in the URL, and the CSV export downloads the filtered set', async ({
  page,
}) => {
  // A shared link: owner, search text and sort order.
  await page.goto(
    '/airflow-ownership?owner=group%3Adefault%2Fdata-engineering&sort=lastRun&order=desc',
  );
  const table = page.getByRole('region', { name: 'DAGs and owners' });
  await expect(table).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Owner' })).toHaveValue(
    'group:default/data-engineering',
  );
  for (const dagId of [
    'orders_etl_hourly',
    'inventory_snapshot',
    'payments_reconciliation',
  ]) {
    await expect(table).toContainText(dagId);
  }
  await expect(table).not.toContainText('sales_daily_report');
  await expect(page.getByText('Showing 3 of 8 DAGs')).toBeVisible();
  // The dangling references follow the owner filter: platform-admins' nightly_vacuum is not shown.
  await expect(
    page.getByRole('region', { name: 'Dangling references' }),
  ).toContainText('No dangling reference matches the filters.');

  // The search box narrows the set on the server, and lands in the URL.
  await page.getByRole('searchbox', { name: 'Search DAGs' }).fill('inventory');
  await expect(page).toHaveURL(/q=inventory/);
  await expect(page.getByText('Showing 1 of 8 DAGs')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search DAGs' }).fill('');
  await expect(page.getByText('Showing 3 of 8 DAGs')).toBeVisible();

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('airflow-dags-and-owners.csv');
  const csv = (await readFile(await download.path()))
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe(
    'instance,dag_id,display_name,owners,entities,hidden_entities,orphan,paused,last_run_state,last_run_time,schedule,tags,airflow_owners,airflow_url',
  );
  const rows = lines.slice(1).map(line => line.split(','));
  expect(rows.map(r => r[1]).sort()).toEqual([
    'inventory_snapshot',
    'orders_etl_hourly',
    'payments_reconciliation',
  ]);
  for (const row of rows) {
    expect(row[3]).toContain('group:default/data-engineering');
    expect(row[row.length - 1]).toMatch(/^http:\/\/.+\/dags\//);
  }

  // Sorting by DAG id asks the server again and keeps the filter.
  await table.getByRole('button', { name: 'DAG', exact: true }).click();
  await expect(page).toHaveURL(/sort=dagId/);
  await expect(page).toHaveURL(/owner=group/);
  await expect(table.getByRole('row').nth(1)).toContainText('inventory_snapshot');
});

test("the group page's card lists the DAGs the team owns through its entities", async ({
  page,
}) => {
  await page.goto('/catalog/default/group/analytics');
  const list = page.getByRole('list', { name: 'DAGs owned by this group' });
  await expect(list).toBeVisible();
  for (const dagId of [
    'sales_daily_report',
    'marketing_attribution',
    'payments_reconciliation',
  ]) {
    await expect(list).toContainText(dagId);
  }
  await expect(list).not.toContainText('orders_etl_hourly');
  await page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Airflow DAGs owned by this group' })
    .last()
    .screenshot({ path: `${SCREENSHOTS}/group-card.png` });
});

test("a parent group's card counts the DAGs of its child groups' entities", async ({
  page,
}) => {
  await page.goto('/catalog/default/group/data');
  const list = page.getByRole('list', { name: 'DAGs owned by this group' });
  await expect(list).toBeVisible();
  for (const dagId of [
    'orders_etl_hourly',
    'sales_daily_report',
    'ml.feature-store-refresh',
    'legacy_cleanup',
  ]) {
    await expect(list).toContainText(dagId);
  }
  await expect(list).not.toContainText('orphan_temp_export');
});
