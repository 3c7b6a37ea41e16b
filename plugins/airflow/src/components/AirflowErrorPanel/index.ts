export { AirflowErrorPanel } from './AirflowErrorPanel';
