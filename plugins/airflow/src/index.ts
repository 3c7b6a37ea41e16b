/**
 * Airflow frontend plugin: the entity tab and overview card showing an
 * entity's Airflow DAGs, DAG runs and task instances, with trigger, pause and
 * clear actions; the ownership page listing every DAG with its catalog owners;
 * and a group card with the DAGs a group owns.
 *
 * @packageDocumentation
 */

export {
  airflowPlugin,
  AirflowOwnershipPage,
  EntityAirflowContent,
  EntityAirflowDagsCard,
  EntityAirflowGroupDagsCard,
} from './plugin';
export type { EntityAirflowContentProps } from './components/EntityAirflowContent';
export type { EntityAirflowDagsCardProps } from './components/EntityAirflowDagsCard';
export { isAirflowAvailable } from '@airflow-for-backstage/backstage-plugin-airflow-common';
export * from './api';
