import type { Entity } from '@backstage/catalog-model';
import { AIRFLOW_DAG_IDS_ANNOTATION } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** A component naming two DAGs of the default instance and one of `prod`. */
export const airflowEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-pipeline',
    namespace: 'default',
    annotations: {
      [AIRFLOW_DAG_IDS_ANNOTATION]:
        'orders_etl, ml.feature-store-refresh, prod:billing_export',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-data' },
};

/** A component without Airflow annotations. */
export const plainEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web-frontend', namespace: 'default' },
  spec: { type: 'website', lifecycle: 'production', owner: 'team-web' },
};

/** The compound entity ref of {@link airflowEntity}, as `getCompoundEntityRef` returns it. */
export const airflowEntityRef = {
  kind: 'Component',
  namespace: 'default',
  name: 'orders-pipeline',
};
