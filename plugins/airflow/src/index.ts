/**
 * Airflow frontend plugin: the entity tab and overview card showing an
 * entity's Airflow DAGs, DAG runs and task instances, with trigger, pause and
 * clear actions.
 *
 * @packageDocumentation
 */

export {
  airflowPlugin,
  EntityAirflowContent,
  EntityAirflowDagsCard,
} from './plugin';
export type { EntityAirflowContentProps } from './components/EntityAirflowContent';
export type { EntityAirflowDagsCardProps } from './components/EntityAirflowDagsCard';
export { isAirflowAvailable } from '@internal/plugin-airflow-common';
export * from './api';
