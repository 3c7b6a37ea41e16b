export { DagRunStatus } from './DagRunStatus';
