export type {
  AirflowAuthConfig,
  AirflowClient,
  AirflowInstanceConfig,
  ListDagRunsOptions,
  ListDagsOptions,
  TriggerDagRunOptions,
} from './types';
export {
  DagRunExistsError,
  DefaultAirflowClient,
  generateRunId,
} from './AirflowClient';
export type { DefaultAirflowClientOptions } from './AirflowClient';
export { encodePath } from './paths';
export { normalizeLogicalDate, nowWithMicroseconds, toUtcIso } from './dates';
