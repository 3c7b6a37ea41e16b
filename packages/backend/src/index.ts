/*
 * The example portal's backend: catalog, guest sign-in, permissions with the
 * Airflow owner policy, and the Airflow backend plugin.
 */

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for the example portal
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permissions: the Airflow owner policy, configured by permission.airflow
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import(
    '@airflow-for-backstage/backstage-plugin-permission-backend-module-airflow'
  ),
);

backend.add(import('@backstage/plugin-user-settings-backend'));

// Airflow
backend.add(import('@airflow-for-backstage/backstage-plugin-airflow-backend'));

// Only for the benchmark suite: a reference route asking one permission decision.
if (process.env.BENCH_REFERENCE_PLUGIN === '1') {
  backend.add(import('./benchReference'));
}

backend.start();
