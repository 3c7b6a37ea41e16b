import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { airflowApi } from './apis';
import { airflowEntityDagsCard } from './entityCards';
import { airflowEntityContent } from './entityContent';

/**
 * The Airflow frontend plugin for the new frontend system: the Airflow API,
 * the entity tab (`entity-content:airflow`) and the overview card
 * (`entity-card:airflow/dags`), both shown only for entities with Airflow
 * annotations.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'airflow',
  title: 'Airflow',
  info: { packageJson: () => import('../../package.json') },
  extensions: [airflowApi, airflowEntityContent, airflowEntityDagsCard],
});
