export { EntityDagsWarnings } from './EntityDagsWarnings';
