import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readAirflowPolicyConfig } from './config';
import { AirflowOwnerPermissionPolicy } from './policy';
import { TransitiveOwnership } from './transitiveOwnership';

/**
 * Installs {@link AirflowOwnerPermissionPolicy} as the permission backend's
 * policy, configured by `permission.airflow` (see the package's config.d.ts).
 *
 * @public
 */
export const permissionModuleAirflow = createBackendModule({
  pluginId: 'permission',
  moduleId: 'airflow',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
      },
      async init({ policy, userInfo, config, auth, logger, catalog }) {
        const settings = readAirflowPolicyConfig(config);
        const transitive = settings.transitiveOwnership.enabled
          ? new TransitiveOwnership({
              catalog,
              auth,
              maxDepth: settings.transitiveOwnership.maxDepth,
            })
          : undefined;
        policy.setPolicy(
          new AirflowOwnerPermissionPolicy({
            userInfo,
            adminGroupRefs: settings.adminGroupRefs,
            writePermissions: settings.writePermissions,
            readRequiresOwnership: settings.readRequiresOwnership,
            expandClaims: transitive
              ? async claims => {
                  try {
                    return await transitive.expand(claims);
                  } catch (error) {
                    // Fail closed: only the direct claims count.
                    logger.warn(
                      `Could not resolve child groups for transitive ownership: ${error}`,
                    );
                    return claims;
                  }
                }
              : undefined,
          }),
        );
        logger.info(
          `Airflow owner policy: owners and ${
            settings.adminGroupRefs.length
          } admin group(s) may ${settings.writePermissions.join(', ')}` +
            `${
              settings.readRequiresOwnership
                ? '; reading DAGs needs ownership'
                : ''
            }` +
            `${
              settings.transitiveOwnership.enabled
                ? `; ownership is transitive over child groups (depth ${settings.transitiveOwnership.maxDepth})`
                : ''
            }`,
        );
      },
    });
  },
});
