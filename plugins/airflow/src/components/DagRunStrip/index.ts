export { DagRunStrip } from './DagRunStrip';
