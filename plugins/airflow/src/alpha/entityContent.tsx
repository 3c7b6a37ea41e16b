import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isAirflowAvailable } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** The Airflow tab of entities with Airflow annotations. */
export const airflowEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'airflow',
    title: 'Airflow',
    filter: isAirflowAvailable,
    loader: () =>
      import('../components/EntityAirflowContent').then(m => (
        <m.EntityAirflowContent />
      )),
  },
});
