import Tooltip from '@mui/material/Tooltip';
import type { ReactElement } from 'react';
import type { AirflowActionPermission } from '../../hooks';

/** Props of {@link PermissionTooltip}. */
export interface PermissionTooltipProps {
  /** The permission of the wrapped action. */
  permission: AirflowActionPermission;
  /** The action's control; render it disabled when the permission is not granted. */
  children: ReactElement;
}

/**
 * Explains with a tooltip why an action is disabled. A disabled control gets
 * no pointer events, so the tooltip is anchored on a wrapping span.
 */
export function PermissionTooltip(props: PermissionTooltipProps) {
  const { permission, children } = props;
  if (permission.allowed || !permission.reason) return children;
  return (
    <Tooltip title={permission.reason} describeChild>
      <span data-testid="permission-tooltip-anchor">{children}</span>
    </Tooltip>
  );
}
