import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { AirflowAuthProviderFactory } from './lib/airflow/auth';

/**
 * Lets a backend module add ways to authenticate to Airflow without forking
 * the plugin, for example a cloud's token source. An instance uses the
 * factory whose `type` equals its `auth.type`; the built-in types
 * (`password`: Airflow 3 JWT or Airflow 2 basic auth, `token`: a static
 * bearer token, `none`) cannot be replaced.
 * @public
 */
export interface AirflowAuthProvidersExtensionPoint {
  /**
   * Adds a factory of auth providers for `factory.type`.
   *
   * @throws Error when the type is built in or already added.
   */
  addAuthProviderFactory(factory: AirflowAuthProviderFactory): void;
}

/**
 * The extension point of {@link AirflowAuthProvidersExtensionPoint}.
 * @public
 */
export const airflowAuthProvidersExtensionPoint =
  createExtensionPoint<AirflowAuthProvidersExtensionPoint>({
    id: 'airflow.auth-providers',
  });
