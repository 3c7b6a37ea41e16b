export { DagRunsView } from './DagRunsView';
