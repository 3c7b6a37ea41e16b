import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormLabel from '@mui/material/FormLabel';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { airflowApiRef } from '../../api';
import { errorMessage } from '../../lib/errors';

/** Props of {@link ClearDagRunDialog}. */
export interface ClearDagRunDialogProps {
  entityRef: CompoundEntityRef;
  /** The DAG run to clear; the dialog is open while this is set. */
  run?: AirflowDagRun;
  onClose: () => void;
  /** Called with the DAG run as Airflow returned it after clearing. */
  onCleared?: (run: AirflowDagRun) => void;
}

type Scope = 'all' | 'failed';

/**
 * Confirmation dialog for clearing a DAG run: all task instances, or only the
 * failed ones, run again. Each DAG run starts afresh.
 */
export function ClearDagRunDialog(props: ClearDagRunDialogProps) {
  return props.run ? (
    <OpenClearDagRunDialog key={props.run.runId} {...props} run={props.run} />
  ) : null;
}

function OpenClearDagRunDialog(
  props: ClearDagRunDialogProps & { run: AirflowDagRun },
) {
  const { entityRef, run, onClose, onCleared } = props;
  const airflowApi = useApi(airflowApiRef);
  const [scope, setScope] = useState<Scope>('all');

  const [submission, confirm] = useAsyncFn(async () => {
    const cleared = await airflowApi.clearDagRun({
      entityRef,
      instance: run.instance,
      dagId: run.dagId,
      runId: run.runId,
      onlyFailed: scope === 'failed',
    });
    onCleared?.(cleared);
    onClose();
    return cleared;
  }, [airflowApi, entityRef, run, scope, onCleared, onClose]);
  const submitting = submission.loading;
  const error = submission.error ? errorMessage(submission.error) : undefined;

  return (
    <Dialog
      open
      onClose={submitting ? undefined : onClose}
      aria-labelledby="airflow-clear-dag-run-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="airflow-clear-dag-run-title">Clear DAG run</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ wordBreak: 'break-all' }}>
          The task instances of DAG run <code>{run.runId}</code> of DAG{' '}
          <code>{run.dagId}</code> will run again.
        </DialogContentText>
        <FormControl sx={{ mt: 2 }}>
          <FormLabel id="airflow-clear-scope-label">Task instances</FormLabel>
          <RadioGroup
            aria-labelledby="airflow-clear-scope-label"
            value={scope}
            onChange={e => setScope(e.target.value as Scope)}
          >
            <FormControlLabel
              value="all"
              control={<Radio />}
              label="All task instances"
            />
            <FormControlLabel
              value="failed"
              control={<Radio />}
              label="Only failed task instances"
            />
          </RadioGroup>
        </FormControl>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {error}
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
          disabled={submitting}
        >
          {submitting ? 'Clearing…' : 'Clear'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
