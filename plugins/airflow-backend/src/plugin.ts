import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { airflowPermissions } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { type AirflowPluginConfig, readAirflowConfig } from './config';
import {
  airflowAuthProvidersExtensionPoint,
  type AirflowAuthProvidersExtensionPoint,
} from './extensions';
import {
  type AirflowInstanceConfig,
  DefaultAirflowClient,
} from './lib/airflow';
import type { AirflowAuthProviderFactory } from './lib/airflow/auth';
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
    const factories = new Map<string, AirflowAuthProviderFactory>();
    const extensionPoint: AirflowAuthProvidersExtensionPoint = {
      addAuthProviderFactory(factory) {
        if (['password', 'token', 'none'].includes(factory.type)) {
          throw new Error(
            `Airflow auth type '${factory.type}' is built in and cannot be replaced`,
          );
        }
        if (factories.has(factory.type)) {
          throw new Error(
            `Airflow auth type '${factory.type}' was added twice`,
          );
        }
        factories.set(factory.type, factory);
      },
    };
    env.registerExtensionPoint(
      airflowAuthProvidersExtensionPoint,
      extensionPoint,
    );

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
        lifecycle: coreServices.lifecycle,
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
        lifecycle,
      }) {
        const pluginConfig = readAirflowConfig(config);
        const providerOf = (instance: AirflowInstanceConfig) => {
          if (instance.auth.type !== 'extension') return undefined;
          const { name, config: authConfig } = instance.auth;
          const factory = factories.get(name);
          if (!factory) {
            throw new Error(
              `Airflow instance '${instance.name}': no auth provider for auth.type '${name}'; add the backend module that provides it`,
            );
          }
          return (
            context: Parameters<
              AirflowAuthProviderFactory['create']
            >[0]['context'],
          ) => factory.create({ config: authConfig, context });
        };
        const clients = pluginConfig.instances.map(instance =>
          DefaultAirflowClient.create({
            config: instance,
            logger,
            createAuthProvider: providerOf(instance),
          }),
        );
        watchCredentials({ config, logger, clients, providerOf });
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
        const refreshSeconds = Math.round(
          pluginConfig.ownershipRefreshMinutes * 60,
        );
        // The run's lock in the database expires after the timeout: a replica that dies
        // mid-refresh blocks the others for one interval (at most 10 minutes), not longer.
        await scheduler.scheduleTask({
          id: 'airflow-ownership-index',
          frequency: { seconds: refreshSeconds },
          timeout: { seconds: Math.min(600, refreshSeconds) },
          initialDelay: { seconds: 10 },
          fn: () => ownershipService.refresh(),
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            auditor,
            airflowService,
            ownershipService,
            validateResponses: pluginConfig.validateResponses,
          }),
        );
        logger.info(
          `Airflow instances: ${pluginConfig.instances
            .map(i => `${i.name} (${i.baseUrl}, api ${i.apiVersion})`)
            .join(', ')}`,
        );
        // One warning per instance whose credentials are refused, without holding up the start.
        lifecycle.addStartupHook(() => {
          for (const client of clients) {
            client.getStatus().then(status => {
              if (status.status === 'authentication-failed') {
                logger.warn(
                  `Airflow instance '${client.config.name}': authentication failed: ${status.error}`,
                );
              }
            });
          }
        });
      },
    });
  },
});

/** A key that changes when an instance's credentials change. */
function authKey(auth: AirflowInstanceConfig['auth']): string {
  return auth.type === 'extension'
    ? JSON.stringify([auth.name, auth.config.get()])
    : JSON.stringify(auth);
}

/**
 * Applies new credentials from a config reload (secret rotation): the
 * instance authenticates afresh, ending any wait after refused credentials.
 */
function watchCredentials(options: {
  config: {
    subscribe?: (onChange: () => void) => { unsubscribe(): void };
  } & Parameters<typeof readAirflowConfig>[0];
  logger: { info(message: string): void; warn(message: string): void };
  clients: DefaultAirflowClient[];
  providerOf: (
    instance: AirflowInstanceConfig,
  ) => Parameters<DefaultAirflowClient['replaceAuth']>[1];
}) {
  const { config, logger, clients, providerOf } = options;
  config.subscribe?.(() => {
    let next: AirflowPluginConfig;
    try {
      next = readAirflowConfig(config);
    } catch (error) {
      logger.warn(
        `Ignoring the changed Airflow config: ${(error as Error).message}`,
      );
      return;
    }
    for (const instance of next.instances) {
      const client = clients.find(c => c.config.name === instance.name);
      if (client && authKey(client.config.auth) !== authKey(instance.auth)) {
        client.replaceAuth(instance.auth, providerOf(instance));
        logger.info(
          `Airflow instance '${instance.name}': using the new credentials from the config`,
        );
      }
    }
  });
}
