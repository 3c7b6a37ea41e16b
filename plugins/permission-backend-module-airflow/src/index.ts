/**
 * A permission backend module with the owner policy for the Airflow plugins:
 * everyone reads; owners of the catalog entity that names a DAG trigger,
 * pause and clear it; members of admin groups do everything.
 *
 * @packageDocumentation
 */

export { permissionModuleAirflow as default } from './module';
export {
  AirflowOwnerPermissionPolicy,
  type AirflowOwnerPermissionPolicyOptions,
} from './policy';
