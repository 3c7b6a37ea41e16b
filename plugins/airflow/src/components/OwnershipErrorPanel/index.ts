export {
  OwnershipErrorPanel,
  OWNERSHIP_PERMISSION_TITLE,
  type OwnershipErrorPanelProps,
} from './OwnershipErrorPanel';
