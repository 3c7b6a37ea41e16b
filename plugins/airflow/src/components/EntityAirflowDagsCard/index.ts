export {
  EntityAirflowDagsCard,
  type EntityAirflowDagsCardProps,
} from './EntityAirflowDagsCard';
