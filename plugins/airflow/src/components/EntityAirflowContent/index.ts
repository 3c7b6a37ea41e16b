export {
  EntityAirflowContent,
  type EntityAirflowContentProps,
} from './EntityAirflowContent';
