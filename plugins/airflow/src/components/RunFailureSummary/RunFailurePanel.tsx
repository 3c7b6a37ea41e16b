import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  AirflowDagRun,
  AirflowTaskInstance,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import CloseIcon from '@material-ui/icons/Close';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useState, type ReactNode } from 'react';
import type { AirflowPermissions } from '../../hooks';
import { TaskInstanceDetails } from '../TaskInstanceActions';
import { RunFailureSummary } from './RunFailureSummary';

/** Props of {@link RunFailurePanel}. */
export interface RunFailurePanelProps {
  entityRef: CompoundEntityRef;
  /** The failed DAG run. */
  run: Pick<AirflowDagRun, 'instance' | 'dagId' | 'runId'>;
  permissions: AirflowPermissions;
  onClose: () => void;
  /** Called after a task instance was cleared or marked from its dialog. */
  onChanged?: () => void;
  /** The heading level: `h2` on the tab, `h3` in a card. */
  headingComponent?: 'h2' | 'h3';
  /** Shown under the summary (e.g. a link to the run in the tab). */
  footer?: ReactNode;
}

/**
 * "Why did it fail?" inline: a closable panel with the run's failure
 * summary; its failed task instances open their tries and logs in a dialog.
 */
export function RunFailurePanel(props: RunFailurePanelProps) {
  const { entityRef, run, permissions, onClose, onChanged, footer } = props;
  const [taskInstance, setTaskInstance] = useState<AirflowTaskInstance>();
  const heading = props.headingComponent ?? 'h2';
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', mb: 1 }}>
        <Typography
          variant={heading === 'h2' ? 'h6' : 'subtitle1'}
          component={heading}
          sx={{ flexGrow: 1, minWidth: 0, overflowWrap: 'anywhere' }}
        >
          Why {run.dagId} run {run.runId} failed
        </Typography>
        <IconButton
          aria-label="Close the failure summary"
          size={heading === 'h2' ? 'medium' : 'small'}
          onClick={onClose}
        >
          <CloseIcon />
        </IconButton>
      </Box>
      <RunFailureSummary
        entityRef={entityRef}
        instance={run.instance}
        dagId={run.dagId}
        runId={run.runId}
        onOpenTaskInstance={setTaskInstance}
      />
      {footer}
      <TaskInstanceDetails
        entityRef={entityRef}
        instance={run.instance}
        dagId={run.dagId}
        runId={run.runId}
        taskInstance={taskInstance}
        permissions={permissions}
        onClose={() => setTaskInstance(undefined)}
        onChanged={onChanged}
      />
    </Paper>
  );
}
