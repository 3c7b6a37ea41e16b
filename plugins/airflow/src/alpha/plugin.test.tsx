import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { airflowApiRef } from '../api';
import { mockAirflowApi } from '../__fixtures__/airflowApi';
import { airflowEntity, plainEntity } from '../__fixtures__/entity';
import airflowPlugin from '../alpha';
import { airflowEntityDagsCard } from './entityCards';
import { airflowEntityContent } from './entityContent';

describe('airflow plugin (new frontend system)', () => {
  it('is the airflow plugin with the API, entity content and entity card', () => {
    expect(airflowPlugin.pluginId).toBe('airflow');
    expect(airflowPlugin.title).toBe('Airflow');
    // The ids are also checked by the compiler against the plugin's extensions.
    expect(airflowPlugin.getExtension('api:airflow')).toBeDefined();
    expect(airflowPlugin.getExtension('entity-content:airflow')).toBeDefined();
    expect(
      airflowPlugin.getExtension('entity-card:airflow/dags'),
    ).toBeDefined();
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
    expect(await screen.findByText('Orders ETL')).toBeInTheDocument();
  });

  it('shows the entity card only for entities with Airflow annotations', () => {
    const tester = createExtensionTester(airflowEntityDagsCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter!(airflowEntity)).toBe(true);
    expect(filter!(plainEntity)).toBe(false);
  });
});
