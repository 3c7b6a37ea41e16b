export { ActionIconButton } from './ActionIconButton';
