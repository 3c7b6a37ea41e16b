import { PERMISSION_REASONS, type AirflowPermissions } from '../hooks';

/** Every Airflow action allowed. */
export const allPermissions: AirflowPermissions = {
  trigger: { allowed: true, loading: false },
  pause: { allowed: true, loading: false },
  clear: { allowed: true, loading: false },
  logs: { allowed: true, loading: false },
  stateUpdate: { allowed: true, loading: false },
};

/** Every Airflow action allowed except the given ones, denied with their reasons. */
export function permissionsDenying(
  ...denied: Array<keyof AirflowPermissions>
): AirflowPermissions {
  const result = { ...allPermissions };
  for (const key of denied) {
    result[key] = {
      allowed: false,
      loading: false,
      reason: PERMISSION_REASONS[key],
    };
  }
  return result;
}
