export { DagRunsTable, DAG_RUNS_PAGE_SIZES } from './DagRunsTable';
