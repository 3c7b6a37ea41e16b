import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { ownershipRouteRef } from '../routes';
import { airflowApi } from './apis';
import { airflowEntityDagsCard, airflowGroupDagsCard } from './entityCards';
import { airflowEntityContent } from './entityContent';
import { airflowOwnershipPage } from './pages';

/**
 * The Airflow frontend plugin for the new frontend system: the Airflow API,
 * the entity tab (`entity-content:airflow`) and the overview card
 * (`entity-card:airflow/dags`), both shown only for entities with Airflow
 * annotations; the ownership page (`page:airflow/ownership` at
 * `/airflow-ownership`, a sidebar item titled "Airflow DAGs") and the group
 * card (`entity-card:airflow/group-dags`, Group entities only).
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'airflow',
  title: 'Airflow',
  info: { packageJson: () => import('../../package.json') },
  routes: { ownership: ownershipRouteRef },
  extensions: [
    airflowApi,
    airflowEntityContent,
    airflowEntityDagsCard,
    airflowOwnershipPage,
    airflowGroupDagsCard,
  ],
});
