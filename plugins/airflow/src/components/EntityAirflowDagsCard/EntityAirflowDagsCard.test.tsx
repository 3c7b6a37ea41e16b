import type { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import { airflowApiRef, type AirflowApi } from '../../api';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import { entityDagsWithProblems } from '../../__fixtures__/dags';
import { airflowEntity, plainEntity } from '../../__fixtures__/entity';
import { EntityAirflowDagsCard } from './EntityAirflowDagsCard';

async function renderCard(api: AirflowApi, entity: Entity = airflowEntity) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityAirflowDagsCard />
    </EntityProvider>,
    {
      apis: [[airflowApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

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
    expect(orders.getByRole('link', { name: /Orders ETL/ })).toHaveAttribute(
      'href',
      'https://airflow.example.com/dags/orders_etl',
    );
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
