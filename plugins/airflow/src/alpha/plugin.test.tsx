import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import { airflowApiRef } from '../api';
import { mockAirflowApi } from '../__fixtures__/airflowApi';
import { airflowEntity, plainEntity } from '../__fixtures__/entity';
import airflowPlugin from '../alpha';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import { ownershipRouteRef } from '../routes';
import { airflowEntityDagsCard, airflowGroupDagsCard } from './entityCards';
import { airflowEntityContent } from './entityContent';
import { airflowOwnershipPage } from './pages';

// A whole test app renders per test: allow for a busy machine.
jest.setTimeout(30_000);

describe('airflow plugin (new frontend system)', () => {
  it('is the airflow plugin with the API, entity content, entity cards, ownership page and its route', () => {
    expect(airflowPlugin.pluginId).toBe('airflow');
    expect(airflowPlugin.title).toBe('Airflow');
    // The ids are also checked by the compiler against the plugin's extensions.
    expect(airflowPlugin.getExtension('api:airflow')).toBeDefined();
    expect(airflowPlugin.getExtension('entity-content:airflow')).toBeDefined();
    expect(
      airflowPlugin.getExtension('entity-card:airflow/dags'),
    ).toBeDefined();
    expect(airflowPlugin.getExtension('page:airflow/ownership')).toBeDefined();
    expect(
      airflowPlugin.getExtension('entity-card:airflow/group-dags'),
    ).toBeDefined();
    expect(airflowPlugin.routes.ownership).toBe(ownershipRouteRef);
  });

  it('mounts the entity content at the "airflow" path with the "Airflow" title', () => {
    const tester = createExtensionTester(airflowEntityContent, {
      apis: [mockApis.permission()],
    });
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Airflow');
    expect(tester.get(coreExtensionData.routePath)).toBe('airflow');
  });

  it('shows the entity content only for entities with Airflow annotations', () => {
    const tester = createExtensionTester(airflowEntityContent);
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter!(airflowEntity)).toBe(true);
    expect(filter!(plainEntity)).toBe(false);
  });

  it('renders the DAGs of the entity through the entity content extension', async () => {
    const tester = createExtensionTester(airflowEntityContent);
    await renderInTestApp(
      <EntityProvider entity={airflowEntity}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis: [[airflowApiRef, mockAirflowApi()], mockApis.permission()] },
    );
    expect(
      await screen.findByText('Orders ETL', undefined, { timeout: 10_000 }),
    ).toBeInTheDocument();
  });

  it('shows the entity card only for entities with Airflow annotations', () => {
    const tester = createExtensionTester(airflowEntityDagsCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter!(airflowEntity)).toBe(true);
    expect(filter!(plainEntity)).toBe(false);
  });

  it('mounts the ownership page at /airflow-ownership with the "Airflow DAGs" title, an icon and its route ref for the sidebar', () => {
    const tester = createExtensionTester(airflowOwnershipPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/airflow-ownership');
    expect(tester.get(coreExtensionData.title)).toBe('Airflow DAGs');
    expect(tester.get(coreExtensionData.icon)).toBeTruthy();
    expect(tester.get(coreExtensionData.routeRef)).toBe(ownershipRouteRef);
  });

  it('shows the group card only for Group entities', () => {
    const tester = createExtensionTester(airflowGroupDagsCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    const group: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'data-eng', namespace: 'default' },
      spec: { type: 'team', children: [] },
    };
    expect(filter!(group)).toBe(true);
    expect(filter!({ ...group, kind: 'group' })).toBe(true);
    expect(filter!({ ...group, kind: 'User' })).toBe(false);
    expect(filter!(airflowEntity)).toBe(false);
  });

  it('renders the DAGs of the group through the group card extension', async () => {
    const tester = createExtensionTester(airflowGroupDagsCard);
    await renderInTestApp(
      <EntityProvider
        entity={{
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Group',
          metadata: { name: 'data-eng', namespace: 'default' },
          spec: { type: 'team', children: [] },
        }}
      >
        {tester.reactElement()}
      </EntityProvider>,
      {
        apis: [[airflowApiRef, mockAirflowApi()]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(
      await screen.findByText('Airflow DAGs owned by this group'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/orders_etl on default/),
    ).toBeInTheDocument();
  });

  it('adds "Airflow DAGs" to the app sidebar and serves the ownership page at /airflow-ownership', async () => {
    renderTestApp({
      features: [airflowPlugin],
      apis: [[airflowApiRef, mockAirflowApi()], mockApis.identity()],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      initialRouteEntries: ['/airflow-ownership'],
    });
    expect(
      await screen.findByRole(
        'region',
        { name: 'DAGs and owners' },
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    const sidebar = screen.getByRole('navigation', { name: 'sidebar nav' });
    expect(
      within(sidebar).getByRole('link', { name: 'Airflow DAGs' }),
    ).toHaveAttribute('href', '/airflow-ownership');
  });
});
