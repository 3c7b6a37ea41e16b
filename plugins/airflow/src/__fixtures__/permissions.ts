import { deniedReason, type AirflowPermissions } from '../hooks';

/** Every Airflow action allowed. */
export const allPermissions: AirflowPermissions = {
  trigger: { allowed: true, loading: false },
  pause: { allowed: true, loading: false },
  clear: { allowed: true, loading: false },
  logs: { allowed: true, loading: false },
  stateUpdate: { allowed: true, loading: false },
};

/** The owner of the fixture entity as a full entity ref. */
export const FIXTURE_OWNER_REF = 'group:default/team-data';

/** Every Airflow action allowed except the given ones, denied with their reasons. */
export function permissionsDenying(
  ...denied: Array<keyof AirflowPermissions>
): AirflowPermissions {
  const result = { ...allPermissions };
  for (const key of denied) {
    result[key] = {
      allowed: false,
      loading: false,
      reason: deniedReason(key, [FIXTURE_OWNER_REF]),
    };
  }
  return result;
}
