export * from './useAirflowPermissions';
export * from './useDagDetails';
export * from './useDagRuns';
export * from './useEntityDags';
export * from './useLiveDagRun';
export * from './usePolling';
export * from './useTaskLog';
