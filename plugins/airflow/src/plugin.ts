import {
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
} from '@backstage/core-plugin-api';
import type { EntityAirflowContentProps } from './components/EntityAirflowContent';
import type { EntityAirflowDagsCardProps } from './components/EntityAirflowDagsCard';
import { airflowApiFactory } from './api/factory';
import { ownershipRouteRef, rootRouteRef } from './routes';

/**
 * The Airflow frontend plugin for the legacy frontend system. For the new
 * frontend system use the default export of the package's `/alpha` entry point.
 * @public
 */
export const airflowPlugin = createPlugin({
  id: 'airflow',
  apis: [airflowApiFactory],
  routes: {
    root: rootRouteRef,
    ownership: ownershipRouteRef,
  },
});

/**
 * The Airflow tab of an entity page: the entity's DAGs and their DAG runs.
 * Mount it in an `EntityLayout.Route` with `if={isAirflowAvailable}`.
 * @public
 */
export const EntityAirflowContent: (
  props: EntityAirflowContentProps,
) => JSX.Element = airflowPlugin.provide(
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
export const EntityAirflowDagsCard: (
  props: EntityAirflowDagsCardProps,
) => JSX.Element = airflowPlugin.provide(
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

/**
 * The Airflow ownership page: every DAG of every instance with the catalog
 * entities that name it and their owners, orphans and dangling references.
 * Mount it on a route of the app, e.g. `/airflow-ownership`. Needs the
 * `airflow.ownership.read` permission.
 * @public
 */
export const AirflowOwnershipPage: () => JSX.Element = airflowPlugin.provide(
  createRoutableExtension({
    name: 'AirflowOwnershipPage',
    component: () =>
      import('./components/AirflowOwnershipPage').then(
        m => m.AirflowOwnershipPage,
      ),
    mountPoint: ownershipRouteRef,
  }),
);

/**
 * A group overview card with the Airflow DAGs the group owns through its
 * entities, linking to Airflow and to the ownership page. Show it on Group
 * entity pages. Needs the `airflow.ownership.read` permission.
 * @public
 */
export const EntityAirflowGroupDagsCard: () => JSX.Element =
  airflowPlugin.provide(
    createComponentExtension({
      name: 'EntityAirflowGroupDagsCard',
      component: {
        lazy: () =>
          import('./components/EntityAirflowGroupDagsCard').then(
            m => m.EntityAirflowGroupDagsCard,
          ),
      },
    }),
  );
