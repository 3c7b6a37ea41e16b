export { EntityDagsWarnings, instanceErrorTitle } from './EntityDagsWarnings';
