export { TriggerDagRunDialog } from './TriggerDagRunDialog';
