import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isAirflowAvailable } from '@internal/plugin-airflow-common';

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
