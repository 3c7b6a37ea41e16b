import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  AirflowTaskInstance,
  AirflowTaskInstancesChange,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import LinearProgress from '@mui/material/LinearProgress';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { airflowApiRef } from '../../api';
import { errorMessage } from '../../lib/errors';
import { stateLabel } from '../../lib/states';
import { taskInstanceLabel } from './labels';

/** Props of {@link ClearTaskInstanceDialog}. */
export interface ClearTaskInstanceDialogProps {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  runId: string;
  /** The task instance to clear; the dialog is open while this is set. */
  taskInstance?: AirflowTaskInstance;
  onClose: () => void;
  onCleared?: (change: AirflowTaskInstancesChange) => void;
}

/**
 * Clears one task instance (and, as chosen, its downstream or upstream
 * tasks, or only the failed ones) after a preview of what would be cleared:
 * Airflow's own dry run, read again whenever an option changes.
 */
export function ClearTaskInstanceDialog(props: ClearTaskInstanceDialogProps) {
  return props.taskInstance ? (
    <OpenClearTaskInstanceDialog
      key={`${props.taskInstance.taskId}:${props.taskInstance.mapIndex}`}
      {...props}
      taskInstance={props.taskInstance}
    />
  ) : null;
}

function OpenClearTaskInstanceDialog(
  props: ClearTaskInstanceDialogProps & { taskInstance: AirflowTaskInstance },
) {
  const {
    entityRef,
    instance,
    dagId,
    runId,
    taskInstance,
    onClose,
    onCleared,
  } = props;
  const airflowApi = useApi(airflowApiRef);
  const [onlyFailed, setOnlyFailed] = useState(false);
  const [includeDownstream, setIncludeDownstream] = useState(true);
  const [includeUpstream, setIncludeUpstream] = useState(false);

  const request = (dryRun: boolean) =>
    airflowApi.clearTaskInstance({
      entityRef,
      instance,
      dagId,
      runId,
      taskId: taskInstance.taskId,
      mapIndex: taskInstance.mapIndex,
      dryRun,
      onlyFailed,
      includeDownstream,
      includeUpstream,
    });

  const [preview, loadPreview] = useAsyncFn(
    () => request(true),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [airflowApi, onlyFailed, includeDownstream, includeUpstream],
  );
  useEffect(() => {
    loadPreview();
  }, [loadPreview]);

  const [submission, confirm] = useAsyncFn(async () => {
    const change = await request(false);
    onCleared?.(change);
    onClose();
    return change;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [
    airflowApi,
    onlyFailed,
    includeDownstream,
    includeUpstream,
    onCleared,
    onClose,
  ]);
  const submitting = submission.loading;
  const wouldClear = preview.value?.taskInstances ?? [];

  return (
    <Dialog
      open
      onClose={submitting ? undefined : onClose}
      aria-labelledby="airflow-clear-task-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="airflow-clear-task-title">
        Clear task instance
      </DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ wordBreak: 'break-word' }}>
          Task <code>{taskInstanceLabel(taskInstance)}</code> of DAG run{' '}
          <code>{runId}</code> will run again.
        </DialogContentText>
        <FormGroup sx={{ mt: 1 }}>
          <FormControlLabel
            control={
              <Checkbox
                checked={includeDownstream}
                onChange={e => setIncludeDownstream(e.target.checked)}
              />
            }
            label="Downstream tasks too"
          />
          <FormControlLabel
            control={
              <Checkbox
                checked={includeUpstream}
                onChange={e => setIncludeUpstream(e.target.checked)}
              />
            }
            label="Upstream tasks too"
          />
          <FormControlLabel
            control={
              <Checkbox
                checked={onlyFailed}
                onChange={e => setOnlyFailed(e.target.checked)}
              />
            }
            label="Only failed task instances"
          />
        </FormGroup>
        <Typography variant="subtitle2" sx={{ mt: 2 }}>
          Would be cleared
        </Typography>
        {preview.loading && <LinearProgress aria-label="Loading the preview" />}
        {preview.error && (
          <Alert severity="error">
            Could not preview: {errorMessage(preview.error)}
          </Alert>
        )}
        {!preview.loading && preview.value && (
          <List dense aria-label="Task instances that would be cleared">
            {wouldClear.length === 0 && (
              <ListItem>Nothing: no task instance matches.</ListItem>
            )}
            {wouldClear.map(ti => (
              <ListItem key={`${ti.taskId}:${ti.mapIndex}`}>
                <code>
                  {ti.taskId}
                  {ti.mapIndex !== null && ti.mapIndex >= 0
                    ? ` [${ti.mapIndex}]`
                    : ''}
                </code>
                {ti.state ? ` · ${stateLabel(ti.state)}` : ''}
              </ListItem>
            ))}
          </List>
        )}
        {submission.error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {errorMessage(submission.error)}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={submitting}>
          Cancel
        </Button>
        <Button
          onClick={confirm}
          variant="contained"
          color="warning"
          disabled={
            submitting ||
            preview.loading ||
            !!preview.error ||
            wouldClear.length === 0
          }
        >
          {submitting
            ? 'Clearing…'
            : `Clear ${wouldClear.length} task instance${
                wouldClear.length === 1 ? '' : 's'
              }`}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
