export * from './EntityAirflowContent';
export * from './EntityAirflowDagsCard';
