/**
 * Backend plugin for Apache Airflow: an entity-scoped, permission-checked and
 * audited API over Airflow 3 (`/api/v2`) and Airflow 2 (`/api/v1`).
 *
 * @packageDocumentation
 */

export { airflowPlugin as default } from './plugin';
export {
  airflowAuthProvidersExtensionPoint,
  type AirflowAuthProvidersExtensionPoint,
} from './extensions';
export type {
  AirflowAuthContext,
  AirflowAuthProvider,
  AirflowAuthProviderFactory,
  AirflowAuthResponse,
  AirflowRequestCredentials,
} from './lib/airflow/auth';
