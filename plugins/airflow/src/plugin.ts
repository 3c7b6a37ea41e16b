import {
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
} from '@backstage/core-plugin-api';
import { airflowApiFactory } from './api/factory';
import { rootRouteRef } from './routes';

/**
 * The Airflow frontend plugin for the legacy frontend system. For the new
 * frontend system use the default export of `@internal/plugin-airflow/alpha`.
 * @public
 */
export const airflowPlugin = createPlugin({
  id: 'airflow',
  apis: [airflowApiFactory],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * The Airflow tab of an entity page: the entity's DAGs and their DAG runs.
 * Mount it in an `EntityLayout.Route` with `if={isAirflowAvailable}`.
 * @public
 */
export const EntityAirflowContent = airflowPlugin.provide(
  createRoutableExtension({
    name: 'EntityAirflowContent',
    component: () =>
      import('./components/EntityAirflowContent').then(
        m => m.EntityAirflowContent,
      ),
    mountPoint: rootRouteRef,
  }),
);

/**
 * An entity overview card with the entity's DAGs, their last DAG run state and
 * next run, linking to the Airflow tab.
 * @public
 */
export const EntityAirflowDagsCard = airflowPlugin.provide(
  createComponentExtension({
    name: 'EntityAirflowDagsCard',
    component: {
      lazy: () =>
        import('./components/EntityAirflowDagsCard').then(
          m => m.EntityAirflowDagsCard,
        ),
    },
  }),
);
