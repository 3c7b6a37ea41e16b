import { createRouteRef } from '@backstage/core-plugin-api';

/** Mount point of the entity Airflow tab in the legacy frontend system. */
export const rootRouteRef = createRouteRef({ id: 'airflow' });
