export { DagsTable } from './DagsTable';
