import type { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isAirflowAvailable } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** The overview card with the entity's DAGs. */
export const airflowEntityDagsCard = EntityCardBlueprint.make({
  name: 'dags',
  params: {
    filter: isAirflowAvailable,
    loader: () =>
      import('../components/EntityAirflowDagsCard').then(m => (
        <m.EntityAirflowDagsCard />
      )),
  },
});

/** True for Group entities (kinds compare case-insensitively). */
export function isGroupEntity(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'group';
}

/** The group overview card with the DAGs the group owns through its entities. */
export const airflowGroupDagsCard = EntityCardBlueprint.make({
  name: 'group-dags',
  params: {
    filter: isGroupEntity,
    loader: () =>
      import('../components/EntityAirflowGroupDagsCard').then(m => (
        <m.EntityAirflowGroupDagsCard />
      )),
  },
});
