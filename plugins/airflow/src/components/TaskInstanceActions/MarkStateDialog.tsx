import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import { useState, type ReactNode } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { errorMessage } from '../../lib/errors';

/** The state a DAG run or task instance is marked with. */
export type MarkState = 'success' | 'failed';

/** Props of {@link MarkStateDialog}. */
export interface MarkStateDialogProps {
  /** The state to mark with; the dialog is open while this is set. */
  state?: MarkState;
  /** What is marked, e.g. `DAG run manual__…` (shown in the title and text). */
  subject: ReactNode;
  /** Offer "downstream tasks too" (task instances). */
  offerDownstream?: boolean;
  /** Extra text, e.g. that marking a running DAG run stops it. */
  note?: ReactNode;
  onConfirm: (options: {
    state: MarkState;
    includeDownstream: boolean;
  }) => Promise<unknown>;
  onClose: () => void;
}

/** Confirms marking a DAG run or task instance success or failed. */
export function MarkStateDialog(props: MarkStateDialogProps) {
  const { state, subject, offerDownstream, note, onConfirm, onClose } = props;
  const [includeDownstream, setIncludeDownstream] = useState(false);
  const [submission, confirm] = useAsyncFn(async () => {
    if (!state) return;
    await onConfirm({ state, includeDownstream });
    onClose();
  }, [state, includeDownstream, onConfirm, onClose]);
  if (!state) return null;
  const submitting = submission.loading;
  return (
    <Dialog
      open
      onClose={submitting ? undefined : onClose}
      aria-labelledby="airflow-mark-state-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="airflow-mark-state-title">Mark {state}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ wordBreak: 'break-word' }}>
          {subject} will be marked <strong>{state}</strong>.
        </DialogContentText>
        {note && <DialogContentText sx={{ mt: 1 }}>{note}</DialogContentText>}
        {offerDownstream && (
          <FormControlLabel
            sx={{ mt: 1 }}
            control={
              <Checkbox
                checked={includeDownstream}
                onChange={e => setIncludeDownstream(e.target.checked)}
              />
            }
            label="Downstream tasks too"
          />
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
          color={state === 'failed' ? 'error' : 'success'}
          disabled={submitting}
        >
          {submitting ? 'Marking…' : `Mark ${state}`}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
