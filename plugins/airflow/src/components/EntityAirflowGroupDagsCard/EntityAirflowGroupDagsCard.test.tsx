import type { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import { airflowApiRef, type AirflowApi } from '../../api';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import {
  billingExportOwnership,
  ordersEtlOwnership,
  ownershipDag,
  ownershipPageOf,
} from '../../__fixtures__/ownership';
import { ownershipRouteRef } from '../../routes';
import { EntityAirflowGroupDagsCard } from './EntityAirflowGroupDagsCard';

function group(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
  };
}

/** The server's answer for a group: data-eng owns two DAGs, other groups none. */
function groupApi() {
  return mockAirflowApi({
    getOwnership: jest.fn(async options =>
      ownershipPageOf(
        options?.owner === 'group:default/data-eng'
          ? [ordersEtlOwnership, billingExportOwnership]
          : [],
      ),
    ),
  });
}

function renderCard(
  options: { api?: AirflowApi; entity?: Entity; mountPage?: boolean } = {},
) {
  return renderInTestApp(
    <EntityProvider entity={options.entity ?? group('data-eng')}>
      <EntityAirflowGroupDagsCard />
    </EntityProvider>,
    {
      apis: [[airflowApiRef, options.api ?? groupApi()]],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        ...(options.mountPage === false
          ? {}
          : { '/airflow-ownership': ownershipRouteRef }),
      },
    },
  );
}

describe('EntityAirflowGroupDagsCard', () => {
  it('asks the server for one page of the DAGs the group owns, child groups included', async () => {
    const api = groupApi();
    renderCard({ api });
    await screen.findByRole('list', { name: 'DAGs owned by this group' });
    expect(api.getOwnership).toHaveBeenCalledWith({
      owner: 'group:default/data-eng',
      sort: 'dagId',
      limit: 20,
    });
    expect(screen.queryByText(/of \d+ DAGs/)).not.toBeInTheDocument();
  });

  it('says how many DAGs there are when the card shows only the first ones', async () => {
    const api = mockAirflowApi({
      getOwnership: jest
        .fn()
        .mockResolvedValue(
          ownershipPageOf([ordersEtlOwnership], { total: 42 }),
        ),
    });
    renderCard({ api });
    expect(await screen.findByText('1 of 42 DAGs')).toBeInTheDocument();
  });

  it('lists the DAGs owned by the group, with last run state and Airflow links', async () => {
    renderCard();
    expect(
      await screen.findByText('Airflow DAGs owned by this group'),
    ).toBeInTheDocument();
    const list = await screen.findByRole('list', {
      name: 'DAGs owned by this group',
    });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);

    const orders = within(items[0]);
    expect(orders.getByRole('link', { name: /^Orders ETL/ })).toHaveAttribute(
      'href',
      'https://airflow.example.com/dags/orders_etl',
    );
    expect(orders.getByText(/orders_etl on default/)).toBeInTheDocument();
    expect(
      orders.getByRole('link', { name: /orders-pipeline/ }),
    ).toHaveAttribute('href', '/catalog/default/component/orders-pipeline');
    expect(orders.getByLabelText('Status error')).toHaveTextContent('failed');

    const billing = within(items[1]);
    expect(
      billing.getByRole('link', { name: /^Billing export/ }),
    ).toHaveAttribute(
      'href',
      'https://airflow-prod.example.com/dags/billing_export',
    );
    expect(billing.getByLabelText('Status ok')).toHaveTextContent('success');
  });

  it("names only the group's own entities when other teams' entities name the DAG too", async () => {
    const shared = ownershipDag({
      dagId: 'payments_reconciliation',
      displayName: 'Payments reconciliation',
      entities: [
        {
          entityRef: 'component:default/payments',
          title: 'payments',
          owners: ['group:default/data-eng'],
          namedBy: 'id',
        },
        {
          entityRef: 'component:default/finance',
          title: 'finance',
          owners: ['group:default/analytics'],
          namedBy: 'id',
        },
      ],
      owners: ['group:default/analytics', 'group:default/data-eng'],
    });
    const api = mockAirflowApi({
      getOwnership: jest.fn().mockResolvedValue(ownershipPageOf([shared])),
    });
    renderCard({ api });
    const list = await screen.findByRole('list', {
      name: 'DAGs owned by this group',
    });
    expect(
      within(list).getByRole('link', { name: /payments/ }),
    ).toHaveAttribute('href', '/catalog/default/component/payments');
    expect(
      within(list).queryByRole('link', { name: /finance/ }),
    ).not.toBeInTheDocument();
  });

  it('links to the ownership page filtered by the group', async () => {
    renderCard();
    await screen.findByRole('list', { name: 'DAGs owned by this group' });
    expect(
      screen.getByRole('link', { name: /View all DAGs and owners/ }),
    ).toHaveAttribute(
      'href',
      '/airflow-ownership?owner=group%3Adefault%2Fdata-eng',
    );
  });

  it('shows no link to the ownership page when the app does not mount it', async () => {
    renderCard({ mountPage: false });
    await screen.findByRole('list', { name: 'DAGs owned by this group' });
    expect(
      screen.queryByRole('link', { name: /View all DAGs and owners/ }),
    ).not.toBeInTheDocument();
  });

  it('shows an empty state for a group that owns no DAG', async () => {
    renderCard({ entity: group('nobody') });
    expect(
      await screen.findByText(/No Airflow DAGs are owned by this group/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });

  it('shows the airflow.ownership.read permission message when the backend answers 403', async () => {
    renderCard({
      api: mockAirflowApi({
        getOwnership: jest
          .fn()
          .mockRejectedValue(
            await responseError(403, 'NotAllowedError', 'Not allowed'),
          ),
      }),
    });
    expect(
      await screen.findByText(
        /You do not have permission \(airflow\.ownership\.read\)/,
      ),
    ).toBeInTheDocument();
  });
});
