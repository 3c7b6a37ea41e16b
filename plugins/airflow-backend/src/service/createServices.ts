import type {
  AuthService,
  CacheService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { AirflowPluginConfig } from '../config';
import type { AirflowClient } from '../lib/airflow';
import type { AirflowService } from './AirflowService';
import { DefaultAirflowService } from './DefaultAirflowService';
import { DefaultOwnershipService } from './DefaultOwnershipService';
import { EntityAccess } from './EntityAccess';
import type { OwnershipService } from './OwnershipService';
import type { OwnershipStore } from './ownership/OwnershipStore';
import { ReadCache } from './ReadCache';

/** Builds the plugin's services over one shared read cache and one entity access check. */
export function createAirflowServices(options: {
  config: AirflowPluginConfig;
  clients: AirflowClient[];
  catalog: CatalogService;
  permissions: PermissionsService;
  auth: AuthService;
  userInfo: UserInfoService;
  cache: CacheService;
  ownershipStore: OwnershipStore;
  logger: LoggerService;
}): { airflowService: AirflowService; ownershipService: OwnershipService } {
  const { config, clients, catalog, permissions, auth, logger } = options;
  const cache = new ReadCache({
    cache: options.cache,
    ttlMs: config.cacheTtlMs,
    logger,
  });
  return {
    airflowService: new DefaultAirflowService({
      access: new EntityAccess({ catalog, permissions, clients }),
      cache,
      logger,
      recentRunsLimit: config.recentRunsLimit,
    }),
    ownershipService: new DefaultOwnershipService({
      clients,
      catalog,
      auth,
      permissions,
      userInfo: options.userInfo,
      store: options.ownershipStore,
      logger,
    }),
  };
}
