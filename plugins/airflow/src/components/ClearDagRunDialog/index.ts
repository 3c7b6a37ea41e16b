export { ClearDagRunDialog } from './ClearDagRunDialog';
