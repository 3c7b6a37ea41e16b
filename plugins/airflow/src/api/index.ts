export * from './AirflowApi';
export { AirflowClient } from './AirflowClient';
