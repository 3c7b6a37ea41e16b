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
