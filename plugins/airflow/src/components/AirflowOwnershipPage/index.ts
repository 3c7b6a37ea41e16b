export {
  AirflowOwnershipContent,
  AirflowOwnershipPage,
  OWNERSHIP_CSV_FILENAME,
} from './AirflowOwnershipPage';
export { DAGS_TABLE_TITLE } from './OwnershipDagsTable';
export { DANGLING_TABLE_TITLE } from './DanglingReferencesTable';
