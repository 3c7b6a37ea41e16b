import { createRouteRef } from '@backstage/core-plugin-api';

/** Mount point of the entity Airflow tab in the legacy frontend system. */
export const rootRouteRef = createRouteRef({ id: 'airflow' });

/**
 * The Airflow ownership page (every DAG with its catalog owners), in both
 * frontend systems. The new frontend system mounts it at `/airflow-ownership`.
 */
export const ownershipRouteRef = createRouteRef({ id: 'airflow-ownership' });
