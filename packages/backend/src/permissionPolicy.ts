import {
  coreServices,
  createBackendModule,
  type UserInfoService,
} from '@backstage/backend-plugin-api';
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
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  airflowDagClearPermission,
  airflowDagLogsReadPermission,
  airflowDagPausePermission,
  airflowDagStateUpdatePermission,
  airflowDagTriggerPermission,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/**
 * Permissions for the owners of the entity (and admins) only: those that
 * change what runs in Airflow, and reading task logs (logs can hold secrets).
 */
const AIRFLOW_WRITE_PERMISSIONS = new Set([
  airflowDagTriggerPermission.name,
  airflowDagPausePermission.name,
  airflowDagClearPermission.name,
  airflowDagStateUpdatePermission.name,
  airflowDagLogsReadPermission.name,
]);

/**
 * The example policy of this portal.
 *
 * - Everyone may read DAGs, runs, task instance states and the ownership view
 *   (and everything else in this demo portal).
 * - Triggering, pausing, clearing, marking DAG runs and task instances
 *   success or failed, and reading task logs is allowed to the owners of the
 *   catalog entity that names the DAG: a conditional decision with the
 *   catalog's `isEntityOwner` rule, evaluated by the catalog against the
 *   entity's `spec.owner` / `ownedBy` relations.
 * - Members of the admin groups may do everything.
 */
export class AirflowOwnerPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: {
      userInfo: UserInfoService;
      /** Group entity refs whose members may do everything, e.g. `group:default/platform-admins`. */
      adminGroupRefs: string[];
    },
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!AIRFLOW_WRITE_PERMISSIONS.has(request.permission.name)) {
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
      ownershipEntityRefs.some(ref => this.options.adminGroupRefs.includes(ref))
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!isResourcePermission(request.permission, 'catalog-entity')) {
      return { result: AuthorizeResult.DENY };
    }
    return createCatalogConditionalDecision(
      request.permission,
      catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
    );
  }
}

/**
 * Installs {@link AirflowOwnerPermissionPolicy}. Admin groups come from
 * `permission.airflow.adminGroups` (default `group:default/platform-admins`).
 */
export const airflowPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'airflow-owner-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
        config: coreServices.rootConfig,
      },
      async init({ policy, userInfo, config }) {
        const adminGroupRefs = config.getOptionalStringArray(
          'permission.airflow.adminGroups',
        ) ?? ['group:default/platform-admins'];
        policy.setPolicy(
          new AirflowOwnerPermissionPolicy({ userInfo, adminGroupRefs }),
        );
      },
    });
  },
});
