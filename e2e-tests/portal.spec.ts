import { expect, test } from '@playwright/test';
import { signInAsGuest } from './helpers';

test('the guest signs in and the catalog lists the example components', async ({
  page,
}) => {
  await signInAsGuest(page);
  // The guest's own (Analytics) components first ...
  await expect(
    page.getByRole('link', { name: 'Analytics reports' }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Finance reconciliation' }),
  ).toBeVisible();
  // ... and everyone's under "All".
  await page.getByText('All', { exact: true }).click();
  await expect(
    page.getByRole('link', { name: 'Orders pipeline' }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Platform maintenance' }),
  ).toBeVisible();
});
