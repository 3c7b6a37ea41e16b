import type { BackstageUserInfo } from '@backstage/backend-plugin-api';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  airflowDagReadPermission,
  airflowPermissions,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { DEFAULT_WRITE_PERMISSIONS } from './config';

const AIRFLOW_PERMISSION_NAMES = new Set(airflowPermissions.map(p => p.name));

/**
 * Options of {@link AirflowOwnerPermissionPolicy}.
 * @public
 */
export interface AirflowOwnerPermissionPolicyOptions {
  /** Resolves a caller's ownership entity refs (the user and their groups). */
  userInfo: {
    getUserInfo(credentials: BackstageCredentials): Promise<BackstageUserInfo>;
  };
  /**
   * Entity refs (normally groups) whose members are allowed every Airflow
   * permission, e.g. `group:default/platform-admins`. Default: none.
   */
  adminGroupRefs?: string[];
  /**
   * Names of the Airflow permissions that only owners (and admins) get.
   * Default: `airflow.dag.trigger`, `airflow.dag.pause`, `airflow.dag.clear`,
   * `airflow.dag.state.update` and `airflow.dag.logs.read` (logs can hold
   * secrets).
   */
  writePermissions?: string[];
  /** Whether `airflow.dag.read` needs ownership too. Default `false`. */
  readRequiresOwnership?: boolean;
  /**
   * Adds claims to the caller's ownership refs before the catalog's
   * `isEntityOwner` rule is applied, for example the groups below the
   * caller's groups (the module's `transitiveOwnership` option).
   */
  expandClaims?: (claims: string[]) => Promise<string[]>;
  /**
   * Decides every permission that is not an Airflow permission. Default:
   * allow, as the allow-all policy does.
   */
  fallback?: PermissionPolicy;
}

/**
 * The owner policy for the Airflow plugins.
 *
 * - Every Airflow permission that is not restricted (by default
 *   `airflow.dag.read` and `airflow.ownership.read`) is allowed.
 * - Restricted permissions (by default trigger, pause, clear, state update
 *   and logs read) are allowed
 *   unconditionally to members of the admin groups and, for everyone else, as
 *   a conditional decision with the catalog's `isEntityOwner` rule: allowed on
 *   the entities the caller owns. A restricted basic permission is denied to
 *   non-admins; callers that are not users are denied.
 * - Other permissions go to `fallback` (default: allow).
 *
 * @public
 */
export class AirflowOwnerPermissionPolicy implements PermissionPolicy {
  private readonly restricted: Set<string>;
  private readonly adminGroupRefs: Set<string>;

  constructor(private readonly options: AirflowOwnerPermissionPolicyOptions) {
    this.restricted = new Set(
      options.writePermissions ?? DEFAULT_WRITE_PERMISSIONS,
    );
    if (options.readRequiresOwnership) {
      this.restricted.add(airflowDagReadPermission.name);
    }
    this.adminGroupRefs = new Set(
      (options.adminGroupRefs ?? []).map(ref => ref.toLocaleLowerCase('en-US')),
    );
  }

  /** Decides one permission request for the user (if any) making it. */
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const name = request.permission.name;
    if (!AIRFLOW_PERMISSION_NAMES.has(name)) {
      return this.options.fallback
        ? this.options.fallback.handle(request, user)
        : { result: AuthorizeResult.ALLOW };
    }
    if (!this.restricted.has(name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (
      !user ||
      (user.credentials.principal as { type?: string }).type !== 'user'
    ) {
      return { result: AuthorizeResult.DENY };
    }
    const { ownershipEntityRefs } = await this.options.userInfo.getUserInfo(
      user.credentials,
    );
    if (
      ownershipEntityRefs.some(ref =>
        this.adminGroupRefs.has(ref.toLocaleLowerCase('en-US')),
      )
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!isResourcePermission(request.permission, 'catalog-entity')) {
      return { result: AuthorizeResult.DENY };
    }
    const claims = this.options.expandClaims
      ? await this.options.expandClaims(ownershipEntityRefs)
      : ownershipEntityRefs;
    return createCatalogConditionalDecision(
      request.permission,
      catalogConditions.isEntityOwner({ claims }),
    );
  }
}
