export { TaskInstancesPanel } from './TaskInstancesPanel';
