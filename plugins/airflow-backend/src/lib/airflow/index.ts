export type {
  AirflowAuthConfig,
  AirflowClient,
  AirflowInstanceConfig,
  ClearTaskInstanceOptions,
  ListDagRunsOptions,
  LogReadStats,
  ReadTaskLogOptions,
  SetTaskInstanceStateOptions,
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
