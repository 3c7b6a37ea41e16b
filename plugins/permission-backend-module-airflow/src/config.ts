import type { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  airflowDagClearPermission,
  airflowDagLogsReadPermission,
  airflowDagPausePermission,
  airflowDagStateUpdatePermission,
  airflowDagTriggerPermission,
  airflowPermissions,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** The default of `permission.airflow.writePermissions`. */
export const DEFAULT_WRITE_PERMISSIONS: readonly string[] = [
  airflowDagTriggerPermission.name,
  airflowDagPausePermission.name,
  airflowDagClearPermission.name,
  airflowDagStateUpdatePermission.name,
  // Not a write, but logs can hold secrets: owners and admins only.
  airflowDagLogsReadPermission.name,
];

/** The default of `permission.airflow.transitiveOwnership.maxDepth`. */
export const DEFAULT_TRANSITIVE_MAX_DEPTH = 10;
const MAX_TRANSITIVE_DEPTH = 50;

/** The policy's settings, read from `permission.airflow`. */
export interface AirflowPolicyConfig {
  adminGroupRefs: string[];
  readRequiresOwnership: boolean;
  writePermissions: string[];
  transitiveOwnership: { enabled: boolean; maxDepth: number };
}

const KNOWN_PERMISSIONS = airflowPermissions.map(p => p.name);

function fail(key: string, message: string): never {
  throw new Error(`Invalid Airflow policy config: ${key}: ${message}`);
}

/**
 * Reads and checks `permission.airflow`; invalid values stop the backend at
 * startup with a message naming the key.
 */
export function readAirflowPolicyConfig(config: Config): AirflowPolicyConfig {
  const root = 'permission.airflow';
  const adminGroupRefs = (
    config.getOptionalStringArray(`${root}.adminGroups`) ?? []
  ).map((ref, index) => {
    try {
      return stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      );
    } catch {
      return fail(
        `${root}.adminGroups[${index}]`,
        `not an entity ref: ${JSON.stringify(ref)}`,
      );
    }
  });

  const writePermissions = config.getOptionalStringArray(
    `${root}.writePermissions`,
  ) ?? [...DEFAULT_WRITE_PERMISSIONS];
  writePermissions.forEach((name, index) => {
    if (!KNOWN_PERMISSIONS.includes(name)) {
      fail(
        `${root}.writePermissions[${index}]`,
        `unknown permission ${JSON.stringify(
          name,
        )}; one of ${KNOWN_PERMISSIONS.join(', ')}`,
      );
    }
  });

  const maxDepth =
    config.getOptionalNumber(`${root}.transitiveOwnership.maxDepth`) ??
    DEFAULT_TRANSITIVE_MAX_DEPTH;
  if (
    !Number.isInteger(maxDepth) ||
    maxDepth < 1 ||
    maxDepth > MAX_TRANSITIVE_DEPTH
  ) {
    fail(
      `${root}.transitiveOwnership.maxDepth`,
      `must be an integer from 1 to ${MAX_TRANSITIVE_DEPTH}`,
    );
  }

  return {
    adminGroupRefs,
    readRequiresOwnership:
      config.getOptionalBoolean(`${root}.readRequiresOwnership`) ?? false,
    writePermissions,
    transitiveOwnership: {
      enabled:
        config.getOptionalBoolean(`${root}.transitiveOwnership.enabled`) ??
        false,
      maxDepth,
    },
  };
}
