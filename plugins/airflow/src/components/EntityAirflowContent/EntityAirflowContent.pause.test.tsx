import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AirflowEntityDagsResponse } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { airflowApiRef } from '../../api';
import { mockAirflowApi } from '../../__fixtures__/airflowApi';
import { entityDags } from '../../__fixtures__/dags';
import { airflowEntity } from '../../__fixtures__/entity';
import { EntityAirflowContent } from './EntityAirflowContent';

configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(60_000);

function rowOf(text: string): HTMLElement {
  const row = screen.getByText(text).closest('tr');
  if (!row) throw new Error(`No table row contains ${text}`);
  return row as HTMLElement;
}

describe('EntityAirflowContent, a DAG paused and unpaused quickly', () => {
  it('sends the opposite state on the second click while the reload after the first is still in flight', async () => {
    // The reload after the first change answers only when released: the table
    // re-renders meanwhile with the list loaded before the change.
    let release: (value: AirflowEntityDagsResponse) => void = () => {};
    const api = mockAirflowApi({
      listEntityDags: jest
        .fn()
        .mockResolvedValueOnce(entityDags)
        .mockImplementation(
          () =>
            new Promise<AirflowEntityDagsResponse>(resolve => {
              release = resolve;
            }),
        ),
    });
    await renderInTestApp(
      <EntityProvider entity={airflowEntity}>
        <EntityAirflowContent pollIntervalMs={60_000} />
      </EntityProvider>,
      {
        apis: [
          [airflowApiRef, api],
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
        ],
      },
    );
    await screen.findByText('Orders ETL');
    const toggle = () =>
      within(rowOf('Orders ETL')).getByRole('switch', { name: 'DAG active' });
    await waitFor(() => expect(toggle()).toBeEnabled());
    // On = active, as in Airflow.
    expect(toggle()).toBeChecked();

    await userEvent.click(toggle());
    await waitFor(() => expect(api.setDagPaused).toHaveBeenCalledTimes(1));
    expect(api.setDagPaused.mock.calls[0][0].isPaused).toBe(true);
    await waitFor(() => expect(toggle()).toBeEnabled());
    expect(toggle()).not.toBeChecked();

    await userEvent.click(toggle());
    await waitFor(() => expect(api.setDagPaused).toHaveBeenCalledTimes(2));
    expect(api.setDagPaused.mock.calls[1][0].isPaused).toBe(false);
    release(entityDags);
    await waitFor(() => expect(toggle()).toBeChecked());
  });
});
