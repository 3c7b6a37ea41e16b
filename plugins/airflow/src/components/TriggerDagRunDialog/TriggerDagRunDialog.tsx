import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  checkNote,
  NOTE_MAX_LENGTH,
  type AirflowDagRun,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useMemo, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { airflowApiRef } from '../../api';
import { useDagDetails } from '../../hooks';
import { errorMessage } from '../../lib/errors';
import { localDateTimeToIso } from '../../lib/logicalDate';
import { parseRunConf } from '../../lib/runConf';

/** Props of {@link TriggerDagRunDialog}. */
export interface TriggerDagRunDialogProps {
  open: boolean;
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  onClose: () => void;
  /** Called once a DAG run has been created. */
  onTriggered?: (run: AirflowDagRun) => void;
}

/**
 * Dialog that triggers a DAG run: a JSON editor for the run config (`conf`)
 * prefilled with the DAG's param defaults, an optional logical date and note.
 * Each opening starts afresh.
 */
export function TriggerDagRunDialog(props: TriggerDagRunDialogProps) {
  return props.open ? <OpenTriggerDagRunDialog {...props} /> : null;
}

function OpenTriggerDagRunDialog(props: TriggerDagRunDialogProps) {
  const { open, entityRef, instance, dagId, onClose, onTriggered } = props;
  const airflowApi = useApi(airflowApiRef);
  const details = useDagDetails({ entityRef, instance, dagId, skip: !open });

  const [confText, setConfText] = useState('{}');
  const [logicalDate, setLogicalDate] = useState('');
  const [note, setNote] = useState('');

  const conf = useMemo(() => parseRunConf(confText), [confText]);
  const date = useMemo(() => localDateTimeToIso(logicalDate), [logicalDate]);
  const noteError = checkNote(note.trim());
  const invalid = Boolean(conf.error || date.error || noteError);

  const [submission, submit] = useAsyncFn(async () => {
    if (conf.error || date.error || noteError) return undefined;
    const run = await airflowApi.triggerDagRun({
      entityRef,
      instance,
      dagId,
      conf: conf.conf,
      logicalDate: date.iso,
      note: note.trim() ? note.trim() : undefined,
    });
    onTriggered?.(run);
    return run;
  }, [airflowApi, entityRef, instance, dagId, conf, date, note, noteError]);
  const submitting = submission.loading;
  const created = submission.value;
  const submitError = submission.error
    ? errorMessage(submission.error)
    : undefined;

  const defaultConf = details.value?.defaultConf;
  useEffect(() => {
    setConfText(JSON.stringify(defaultConf ?? {}, null, 2));
  }, [defaultConf]);

  const params = Object.entries(details.value?.params ?? {});
  const title = details.value?.displayName ?? dagId;

  let content;
  if (created) {
    content = (
      <DialogContent>
        <Alert severity="success">
          DAG run <strong>{created.runId}</strong> triggered ({created.state}).
        </Alert>
        <Box mt={2}>
          <Link to={created.webUrl} aria-label="Open DAG run in Airflow">
            Open DAG run in Airflow
          </Link>
        </Box>
      </DialogContent>
    );
  } else if (details.loading) {
    content = (
      <DialogContent>
        <Progress />
      </DialogContent>
    );
  } else {
    content = (
      <DialogContent>
        {details.error && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            Could not load the DAG's params: {errorMessage(details.error)}
          </Alert>
        )}
        <TextField
          label="Run config (conf)"
          value={confText}
          onChange={e => setConfText(e.target.value)}
          error={Boolean(conf.error)}
          helperText={conf.error ?? 'A JSON object passed to the DAG run.'}
          multiline
          minRows={6}
          maxRows={20}
          fullWidth
          margin="normal"
          spellCheck={false}
          inputProps={{ sx: { fontFamily: 'monospace', fontSize: '0.875rem' } }}
        />
        {params.length > 0 && (
          <Box sx={{ mb: 1 }}>
            {params.map(([name, param]) => (
              <Typography key={name} variant="body2" color="text.secondary">
                <Box component="code" sx={{ fontWeight: 600 }}>
                  {name}
                </Box>
                {param.description ? ` — ${param.description}` : ''}
              </Typography>
            ))}
          </Box>
        )}
        <TextField
          label="Logical date"
          type="datetime-local"
          value={logicalDate}
          onChange={e => setLogicalDate(e.target.value)}
          error={Boolean(date.error)}
          helperText={
            date.error ?? 'Optional, in your time zone. Defaults to now.'
          }
          InputLabelProps={{ shrink: true }}
          inputProps={{ step: 1 }}
          fullWidth
          margin="normal"
        />
        <TextField
          label="Note"
          value={note}
          onChange={e => setNote(e.target.value)}
          error={Boolean(noteError)}
          helperText={
            noteError ??
            `Optional, up to ${NOTE_MAX_LENGTH} characters. Airflow records it on the DAG run with your name.`
          }
          fullWidth
          margin="normal"
        />
        {submitError && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {submitError}
          </Alert>
        )}
      </DialogContent>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={submitting ? undefined : onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="airflow-trigger-dag-run-title"
    >
      <DialogTitle id="airflow-trigger-dag-run-title" sx={{ pb: 0 }}>
        Trigger DAG run
      </DialogTitle>
      <Typography variant="body2" color="text.secondary" sx={{ px: 3 }}>
        {title}
        {title !== dagId ? ` (${dagId})` : ''} on instance {instance}
      </Typography>
      {content}
      <DialogActions>
        {created ? (
          <Button onClick={onClose} variant="contained">
            Close
          </Button>
        ) : (
          <>
            <Button onClick={onClose} disabled={submitting}>
              Cancel
            </Button>
            <Button
              onClick={submit}
              variant="contained"
              disabled={invalid || submitting || details.loading}
            >
              {submitting ? 'Triggering…' : 'Trigger'}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
