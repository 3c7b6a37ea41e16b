export type {
  AirflowAuthConfig,
  AirflowClient,
  AirflowInstanceConfig,
  ListDagRunsOptions,
  ListDagsOptions,
  TriggerDagRunOptions,
} from './types';
export { DefaultAirflowClient } from './AirflowClient';
export type { DefaultAirflowClientOptions } from './AirflowClient';
export {
  mapDag,
  mapDagDetails,
  mapDagParams,
  mapDagRun,
  mapHealth,
  mapTaskInstance,
} from './mappers';
export type { AirflowMappingContext } from './mappers';
