import {
  RELATION_OWNED_BY,
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  airflowDagClearPermission,
  airflowDagLogsReadPermission,
  airflowDagPausePermission,
  airflowDagStateUpdatePermission,
  airflowDagTriggerPermission,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { usePermission } from '@backstage/plugin-permission-react';

/** Whether the user may do one Airflow action, and why not. */
export interface AirflowActionPermission {
  /** True once the permission is known to be granted. */
  allowed: boolean;
  /** True while the decision is pending. */
  loading: boolean;
  /** Why the action is unavailable (tooltip text), or undefined when allowed. */
  reason?: string;
}

/** The Airflow actions the user may take on an entity's DAGs. */
export interface AirflowPermissions {
  trigger: AirflowActionPermission;
  pause: AirflowActionPermission;
  clear: AirflowActionPermission;
  /** Reading task logs (`airflow.dag.logs.read`). */
  logs: AirflowActionPermission;
  /** Marking DAG runs and task instances success or failed (`airflow.dag.state.update`). */
  stateUpdate: AirflowActionPermission;
}

/** Tooltip text while the permission decisions load. */
export const PERMISSION_LOADING_REASON = 'Checking your permissions…';

/** What each Airflow action lets its holder do, as the denial tooltips say it. */
export const PERMISSION_ACTIONS: Record<keyof AirflowPermissions, string> = {
  trigger: 'trigger DAG runs',
  pause: 'pause or unpause DAGs',
  clear: 'clear DAG runs and task instances',
  logs: 'read task logs',
  stateUpdate: 'mark DAG runs and task instances success or failed',
};

/** The permission behind each Airflow action (from airflow-common). */
export const ACTION_PERMISSION_NAMES: Record<keyof AirflowPermissions, string> =
  {
    trigger: airflowDagTriggerPermission.name,
    pause: airflowDagPausePermission.name,
    clear: airflowDagClearPermission.name,
    logs: airflowDagLogsReadPermission.name,
    stateUpdate: airflowDagStateUpdatePermission.name,
  };

/**
 * The catalog owners of an entity as full entity refs: the targets of its
 * `ownedBy` relations, or else its `spec.owner` (a group by default, in the
 * entity's namespace, as the catalog reads it).
 */
export function entityOwnerRefs(entity: Entity): string[] {
  const related = (entity.relations ?? [])
    .filter(relation => relation.type === RELATION_OWNED_BY)
    .map(relation => relation.targetRef);
  if (related.length > 0) return [...new Set(related)];
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || owner.trim() === '') return [];
  try {
    return [
      stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ),
    ];
  } catch {
    return [owner];
  }
}

/**
 * Why an action is denied, naming who may take it and the permission:
 * `Only owners of this entity (group:default/data-engineering) may trigger
 * DAG runs (airflow.dag.trigger)`.
 */
export function deniedReason(
  action: keyof AirflowPermissions,
  owners: readonly string[],
): string {
  const who =
    owners.length > 0
      ? `Only owners of this entity (${owners.join(', ')})`
      : 'Only owners of this entity (it has no owner in the catalog)';
  return `${who} may ${PERMISSION_ACTIONS[action]} (${ACTION_PERMISSION_NAMES[action]})`;
}

function toActionPermission(
  result: { allowed: boolean; loading: boolean },
  reasonIfDenied: string,
): AirflowActionPermission {
  if (result.allowed) return { allowed: true, loading: false };
  return {
    allowed: false,
    loading: result.loading,
    reason: result.loading ? PERMISSION_LOADING_REASON : reasonIfDenied,
  };
}

/**
 * Entity-scoped Airflow permissions of the current user, for enabling buttons.
 * The backend checks them again on every request.
 */
export function useAirflowPermissions(entity: Entity): AirflowPermissions {
  const resourceRef = stringifyEntityRef(entity);
  const trigger = usePermission({
    permission: airflowDagTriggerPermission,
    resourceRef,
  });
  const pause = usePermission({
    permission: airflowDagPausePermission,
    resourceRef,
  });
  const clear = usePermission({
    permission: airflowDagClearPermission,
    resourceRef,
  });
  const logs = usePermission({
    permission: airflowDagLogsReadPermission,
    resourceRef,
  });
  const stateUpdate = usePermission({
    permission: airflowDagStateUpdatePermission,
    resourceRef,
  });
  const owners = entityOwnerRefs(entity);
  return {
    logs: toActionPermission(logs, deniedReason('logs', owners)),
    stateUpdate: toActionPermission(
      stateUpdate,
      deniedReason('stateUpdate', owners),
    ),
    trigger: toActionPermission(trigger, deniedReason('trigger', owners)),
    pause: toActionPermission(pause, deniedReason('pause', owners)),
    clear: toActionPermission(clear, deniedReason('clear', owners)),
  };
}
