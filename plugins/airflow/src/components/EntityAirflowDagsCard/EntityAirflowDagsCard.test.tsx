import type { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { mockApis } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { airflowApiRef, type AirflowApi } from '../../api';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import { entityDagsWithProblems } from '../../__fixtures__/dags';
import {
  airflowEntity,
  airflowEntityRef,
  plainEntity,
} from '../../__fixtures__/entity';
import { loadError } from '../../__fixtures__/taskLogs';
import { EntityAirflowDagsCard } from './EntityAirflowDagsCard';

async function renderCard(api: AirflowApi, entity: Entity = airflowEntity) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityAirflowDagsCard />
    </EntityProvider>,
    {
      apis: [
        [airflowApiRef, api],
        mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

const failedRunId = 'manual__2025-03-29T19:48:49.273773+00:00';

// The task log viewer sizes itself to its container, which jsdom lays out as 0 × 0.
jest.mock('react-virtualized-auto-sizer', () => ({
  __esModule: true,
  default: ({ children }: any) => children({ height: 400, width: 900 }),
}));

describe('EntityAirflowDagsCard', () => {
  it("lists the entity's DAGs with their last run state and next run", async () => {
    await renderCard(mockAirflowApi());
    const list = await screen.findByRole('list', { name: 'DAGs' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);

    const featureStore = within(items[0]);
    expect(
      featureStore.getByRole('link', { name: /ml\.feature-store-refresh/ }),
    ).toBeInTheDocument();
    expect(featureStore.getByText('Manual only · paused')).toBeInTheDocument();
    expect(featureStore.getByText('running')).toBeInTheDocument();

    const orders = within(items[1]);
    // The name opens the DAG's runs in the tab; a separate link opens Airflow.
    expect(orders.getByRole('link', { name: 'Orders ETL' })).toHaveAttribute(
      'href',
      '/catalog/default/component/orders-pipeline/airflow?instance=default&dag=orders_etl',
    );
    expect(
      orders.getByRole('link', { name: /^Open DAG in Airflow/ }),
    ).toHaveAttribute('href', 'https://airflow.example.com/dags/orders_etl');
    expect(
      orders.getByText(/^At 06:00 · next run in \d+ years?$/),
    ).toBeInTheDocument();
    expect(orders.getByText('failed')).toBeInTheDocument();
  });

  it('links to the Airflow tab of the entity', async () => {
    await renderCard(mockAirflowApi());
    await screen.findByRole('list', { name: 'DAGs' });
    expect(
      screen.getByRole('link', { name: /View DAGs and DAG runs/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/orders-pipeline/airflow',
    );
  });

  it('summarizes unavailable instances and missing DAGs', async () => {
    await renderCard(
      mockAirflowApi({
        listEntityDags: jest.fn().mockResolvedValue(entityDagsWithProblems),
      }),
    );
    expect(
      await screen.findByText(
        'Unavailable instances: prod. 1 DAG(s) not found in Airflow',
      ),
    ).toBeInTheDocument();
  });

  it('says why there are no DAGs when their instance is down, instead of "No DAGs found"', async () => {
    await renderCard(
      mockAirflowApi({
        listEntityDags: jest.fn().mockResolvedValue({
          dags: [],
          missing: [],
          errors: [
            {
              instance: 'default',
              status: 503,
              name: 'ServiceUnavailableError',
              message:
                'Airflow instance default is not reachable: connect ECONNREFUSED',
            },
          ],
        }),
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Airflow instance default is unavailable');
    expect(alert).toHaveTextContent(
      'Airflow instance default is not reachable: connect ECONNREFUSED (ServiceUnavailableError, HTTP 503)',
    );
    expect(screen.queryByText(/No DAGs found/)).not.toBeInTheDocument();
  });

  it('offers "Why did it fail?" for a DAG whose last run failed and shows the failure summary in the card', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderCard(api);
    const list = await screen.findByRole('list', { name: 'DAGs' });
    const items = within(list).getAllByRole('listitem');
    // Only the DAG whose last run failed offers it.
    expect(
      within(items[0]).queryByRole('button', { name: 'Why did it fail?' }),
    ).not.toBeInTheDocument();
    const why = within(items[1]).getByRole('button', {
      name: 'Why did it fail?',
    });
    await user.click(why);
    const summary = await screen.findByRole('region', {
      name: `Why DAG run ${failedRunId} failed`,
    });
    expect(items[1]).toContainElement(summary);
    expect(within(summary).getAllByRole('alert')[0]).toHaveTextContent(
      `${loadError.type}: ${loadError.message}`,
    );
    expect(api.getDagRunFailure).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
      runId: failedRunId,
    });
    expect(
      within(items[1]).getByRole('link', {
        name: 'Show the DAG run in the Airflow tab',
      }),
    ).toHaveAttribute(
      'href',
      `/catalog/default/component/orders-pipeline/airflow?instance=default&dag=orders_etl&run=${encodeURIComponent(
        failedRunId,
      )}`,
    );

    await user.click(
      within(items[1]).getByRole('button', {
        name: 'Close the failure summary',
      }),
    );
    expect(
      screen.queryByRole('region', { name: /Why DAG run/ }),
    ).not.toBeInTheDocument();
  });

  it('shows the backend error when the DAGs cannot be loaded', async () => {
    await renderCard(
      mockAirflowApi({
        listEntityDags: jest
          .fn()
          .mockRejectedValue(
            await responseError(
              503,
              'ServiceUnavailableError',
              'Airflow is down',
            ),
          ),
      }),
    );
    expect(
      (await screen.findAllByText(/Airflow is down/)).length,
    ).toBeGreaterThan(0);
  });

  it('shows the missing-annotation empty state for an entity without Airflow annotations', async () => {
    const api = mockAirflowApi();
    await renderCard(api, plainEntity);
    expect(await screen.findByText('Missing Annotation')).toBeInTheDocument();
    expect(api.listEntityDags).not.toHaveBeenCalled();
  });
});
