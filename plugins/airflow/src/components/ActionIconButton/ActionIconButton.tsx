import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import type { ReactNode } from 'react';
import type { AirflowActionPermission } from '../../hooks';
import { PermissionTooltip } from '../PermissionTooltip';

/** Props of {@link ActionIconButton}. */
export interface ActionIconButtonProps {
  /** Accessible name and tooltip of the button. */
  label: string;
  icon: ReactNode;
  onClick: () => void;
  /** When given and not granted, the button is disabled and its tooltip says why. */
  permission?: AirflowActionPermission;
  disabled?: boolean;
}

/** An icon button with its name as tooltip, or the permission reason when disabled. */
export function ActionIconButton(props: ActionIconButtonProps) {
  const { label, icon, onClick, permission, disabled } = props;
  const denied = permission !== undefined && !permission.allowed;
  const button = (
    <IconButton
      size="small"
      aria-label={label}
      onClick={onClick}
      disabled={denied || disabled}
    >
      {icon}
    </IconButton>
  );
  if (denied) {
    return (
      <PermissionTooltip permission={permission}>{button}</PermissionTooltip>
    );
  }
  if (disabled) return button;
  return <Tooltip title={label}>{button}</Tooltip>;
}
