import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Airflow DAG permissions are resource permissions on the catalog entity that
 * names the DAG (the catalog's resource type), so policies can use the
 * catalog's own rules, for example `isEntityOwner`.
 */
const CATALOG_ENTITY = RESOURCE_TYPE_CATALOG_ENTITY;

/**
 * See an entity's DAGs, their runs and task instances.
 * Resource: the catalog entity that names the DAGs.
 * @public
 */
export const airflowDagReadPermission = createPermission({
  name: 'airflow.dag.read',
  attributes: { action: 'read' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Trigger a DAG run of one of the entity's DAGs.
 * @public
 */
export const airflowDagTriggerPermission = createPermission({
  name: 'airflow.dag.trigger',
  attributes: { action: 'create' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Pause or unpause one of the entity's DAGs.
 * @public
 */
export const airflowDagPausePermission = createPermission({
  name: 'airflow.dag.pause',
  attributes: { action: 'update' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Clear a DAG run (all or only failed task instances), or one task instance
 * (with its upstream or downstream tasks), so that it runs again.
 * @public
 */
export const airflowDagClearPermission = createPermission({
  name: 'airflow.dag.clear',
  attributes: { action: 'update' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Read the task logs of one of the entity's DAGs. Logs can hold secrets, so
 * this is separate from {@link airflowDagReadPermission}: who may see states
 * may not necessarily read logs.
 * @public
 */
export const airflowDagLogsReadPermission = createPermission({
  name: 'airflow.dag.logs.read',
  attributes: { action: 'read' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Change the state of a DAG run or a task instance of one of the entity's
 * DAGs: mark it success or failed (which stops a running DAG run).
 * @public
 */
export const airflowDagStateUpdatePermission = createPermission({
  name: 'airflow.dag.state.update',
  attributes: { action: 'update' },
  resourceType: CATALOG_ENTITY,
});

/**
 * See the ownership view: every DAG of every instance with its catalog owners.
 * A basic (not resource) permission.
 * @public
 */
export const airflowOwnershipReadPermission = createPermission({
  name: 'airflow.ownership.read',
  attributes: { action: 'read' },
});

/** Every permission of the Airflow plugin. @public */
export const airflowPermissions = [
  airflowDagReadPermission,
  airflowDagTriggerPermission,
  airflowDagPausePermission,
  airflowDagClearPermission,
  airflowDagLogsReadPermission,
  airflowDagStateUpdatePermission,
  airflowOwnershipReadPermission,
];
