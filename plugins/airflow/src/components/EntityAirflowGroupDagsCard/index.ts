export {
  EntityAirflowGroupDagsCard,
  GROUP_DAGS_CARD_TITLE,
} from './EntityAirflowGroupDagsCard';
