import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { airflowPermissions } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { readAirflowConfig } from './config';
import { DefaultAirflowClient } from './lib/airflow';
import { createRouter } from './router/router';
import { createAirflowServices } from './service/createServices';
import { OwnershipStore } from './service/ownership/OwnershipStore';

/**
 * The Airflow backend plugin: holds the Airflow credentials and serves the
 * entity-scoped, permission-checked and audited API at `/api/airflow`.
 *
 * @public
 */
export const airflowPlugin = createBackendPlugin({
  pluginId: 'airflow',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        cache: coreServices.cache,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        database: coreServices.database,
        catalog: catalogServiceRef,
      },
      async init({
        logger,
        config,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        auditor,
        cache,
        scheduler,
        auth,
        userInfo,
        database,
        catalog,
      }) {
        const pluginConfig = readAirflowConfig(config);
        const clients = pluginConfig.instances.map(instance =>
          DefaultAirflowClient.create({ config: instance, logger }),
        );
        permissionsRegistry.addPermissions(airflowPermissions);
        const { airflowService, ownershipService } = createAirflowServices({
          config: pluginConfig,
          clients,
          catalog,
          permissions,
          auth,
          userInfo,
          cache,
          // The ownership index lives in the plugin's database (migrations in the package).
          ownershipStore: await OwnershipStore.create(database),
          logger,
        });
        await scheduler.scheduleTask({
          id: 'airflow-ownership-index',
          frequency: { minutes: pluginConfig.ownershipRefreshMinutes },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 10 },
          fn: () => ownershipService.refresh(),
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            auditor,
            airflowService,
            ownershipService,
          }),
        );
        logger.info(
          `Airflow instances: ${pluginConfig.instances
            .map(i => `${i.name} (${i.baseUrl}, api ${i.apiVersion})`)
            .join(', ')}`,
        );
      },
    });
  },
});
