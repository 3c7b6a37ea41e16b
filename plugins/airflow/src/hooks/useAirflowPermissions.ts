import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
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

/** Tooltip texts of disabled actions. */
export const PERMISSION_REASONS = {
  loading: 'Checking your permissions…',
  trigger: 'You are not allowed to trigger DAG runs of this entity',
  pause: 'You are not allowed to pause or unpause DAGs of this entity',
  clear: 'You are not allowed to clear DAG runs of this entity',
  logs: 'You are not allowed to read the task logs of this entity',
  stateUpdate:
    'You are not allowed to mark DAG runs or task instances of this entity success or failed',
} as const;

/**
 * The reason of a denial with who may act: `… (permission airflow.dag.logs.read;
 * granted to the owners of this entity, group:default/data-platform)`.
 */
export function deniedReason(
  base: string,
  permissionName: string,
  owner?: string,
): string {
  return `${base} (permission ${permissionName}${
    owner ? `; granted to the owners of this entity, ${owner}` : ''
  })`;
}

function toActionPermission(
  result: { allowed: boolean; loading: boolean },
  reasonIfDenied: string,
): AirflowActionPermission {
  if (result.allowed) return { allowed: true, loading: false };
  return {
    allowed: false,
    loading: result.loading,
    reason: result.loading ? PERMISSION_REASONS.loading : reasonIfDenied,
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
  const owner =
    typeof entity.spec?.owner === 'string' ? entity.spec.owner : undefined;
  return {
    logs: toActionPermission(
      logs,
      deniedReason(
        PERMISSION_REASONS.logs,
        airflowDagLogsReadPermission.name,
        owner,
      ),
    ),
    stateUpdate: toActionPermission(
      stateUpdate,
      deniedReason(
        PERMISSION_REASONS.stateUpdate,
        airflowDagStateUpdatePermission.name,
        owner,
      ),
    ),
    trigger: toActionPermission(trigger, PERMISSION_REASONS.trigger),
    pause: toActionPermission(pause, PERMISSION_REASONS.pause),
    clear: toActionPermission(clear, PERMISSION_REASONS.clear),
  };
}
