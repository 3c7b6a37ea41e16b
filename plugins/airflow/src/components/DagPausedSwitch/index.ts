export { DagPausedSwitch } from './DagPausedSwitch';
