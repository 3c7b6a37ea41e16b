import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  checkNote,
  NOTE_MAX_LENGTH,
  RUN_ID_MAX_LENGTH,
  RUN_ID_PATTERN,
  type AirflowTriggeredDagRun,
  type JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useState,
} from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { airflowApiRef } from '../../api';
import {
  useDagDetails,
  useLiveDagRun,
  type AirflowActionPermission,
} from '../../hooks';
import { errorMessage } from '../../lib/errors';
import {
  localDateTimeToIso,
  type LogicalDateZone,
} from '../../lib/logicalDate';
import { paramsFormSchema } from '../../lib/paramsForm';
import { parseRunConf } from '../../lib/runConf';
import { prettyJson, triggerDialogLink } from '../../lib/tabLinks';
import { triggerRefusalOf, type TriggerRefusal } from '../../lib/triggerErrors';
import { DagRunStatus } from '../DagRunStatus';
import { LogicalDateField } from './LogicalDateField';
import type { ConfValidationError } from './ParamsForm';

// The form library and the code editor are loaded when a dialog needs them,
// not with the Airflow tab.
const loadParamsForm = () => import('./ParamsForm');
const loadJsonConfEditor = () => import('./JsonConfEditor');
const ParamsForm = lazy(loadParamsForm);
const JsonConfEditor = lazy(loadJsonConfEditor);

/** Props of {@link TriggerDagRunDialog}. */
export interface TriggerDagRunDialogProps {
  open: boolean;
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  onClose: () => void;
  /** Called once a DAG run has been created (and, when asked, the DAG unpaused). */
  onTriggered?: (run: AirflowTriggeredDagRun) => void;
  /**
   * The run config to start from, as JSON text (a past run's `conf`, a
   * shared link's); the DAG's param defaults when absent.
   */
  initialConfText?: string;
  /** Whether the user may unpause the DAG: offers "Unpause and trigger" for a paused DAG. */
  pausePermission?: AirflowActionPermission;
  /** How often the created run's state is reloaded while it is queued or running (ms). */
  pollIntervalMs?: number;
}

/**
 * Dialog that triggers a DAG run. The run config (`conf`) is edited in a form
 * generated from the DAG's params (validated against their schemas, errors
 * on the fields) and in a JSON editor kept in sync with it; DAGs without
 * params get only the JSON editor. Optional logical date (shown in UTC and
 * local time), run id and note. A paused DAG is pointed out, with "Unpause
 * and trigger" for users who may unpause it. The dialog gives a link that
 * opens it again with the same config, and never triggers by itself. Once
 * triggered, the run is shown with its state kept up to date.
 */
export function TriggerDagRunDialog(props: TriggerDagRunDialogProps) {
  return props.open ? <OpenTriggerDagRunDialog {...props} /> : null;
}

const TITLE_ID = 'airflow-trigger-dag-run-title';

function OpenTriggerDagRunDialog(props: TriggerDagRunDialogProps) {
  const {
    open,
    entityRef,
    instance,
    dagId,
    onClose,
    onTriggered,
    initialConfText,
    pausePermission,
    pollIntervalMs,
  } = props;
  const airflowApi = useApi(airflowApiRef);
  const details = useDagDetails({ entityRef, instance, dagId, skip: !open });
  const dag = details.value;
  const params = useMemo(() => dag?.params ?? {}, [dag]);
  const paramNames = useMemo(() => Object.keys(params), [params]);
  const form = useMemo(
    () => (paramNames.length > 0 ? paramsFormSchema(params) : undefined),
    [params, paramNames],
  );

  // The JSON text is what is sent; the form shows its last valid parse.
  const [confText, setConfText] = useState<string>();
  const [formConf, setFormConf] = useState<JsonObject>({});
  const [tab, setTab] = useState<'form' | 'json'>('form');
  const [schemaErrors, setSchemaErrors] = useState<ConfValidationError[]>();
  const [logicalDate, setLogicalDate] = useState('');
  const [zone, setZone] = useState<LogicalDateZone>('local');
  const [runId, setRunId] = useState('');
  const [note, setNote] = useState('');
  const [refusal, setRefusal] = useState<
    TriggerRefusal & { refusedValue?: string }
  >();
  const [link, setLink] = useState<{ url: string; copied: boolean }>();

  const editJson = useCallback((text: string) => {
    setConfText(text);
    const parsed = parseRunConf(text);
    if (parsed.conf) setFormConf(parsed.conf);
  }, []);
  const editForm = useCallback((conf: JsonObject) => {
    setFormConf(conf);
    setConfText(JSON.stringify(conf, null, 2));
  }, []);

  // Start from the given config, else the params' defaults, once the DAG is known.
  const loaded = !details.loading;
  useEffect(() => {
    if (!loaded || confText !== undefined) return;
    editJson(
      initialConfText !== undefined
        ? prettyJson(initialConfText)
        : JSON.stringify(dag?.defaultConf ?? {}, null, 2),
    );
  }, [loaded, confText, initialConfText, dag, editJson]);
  useEffect(() => {
    // Fetch the editor while the user looks at the form.
    loadJsonConfEditor().catch(() => undefined);
  }, []);

  const conf = useMemo(() => parseRunConf(confText ?? '{}'), [confText]);
  const date = useMemo(
    () => localDateTimeToIso(logicalDate, zone),
    [logicalDate, zone],
  );
  const runIdError =
    runId && (!RUN_ID_PATTERN.test(runId) || runId.length > RUN_ID_MAX_LENGTH)
      ? `Run id may contain only letters, digits and _ . ~ : + - (not ".", ".." or "~" alone), at most ${RUN_ID_MAX_LENGTH} characters`
      : undefined;
  const noteError = checkNote(note.trim());
  const validating = form !== undefined && schemaErrors === undefined;
  const problems = [
    conf.error,
    ...(schemaErrors ?? []).map(e => e.message),
    date.error,
    runIdError,
    noteError,
  ].filter((p): p is string => Boolean(p));

  const fieldErrors = useMemo(() => {
    const field = refusal?.field;
    if (!field) return undefined;
    if (JSON.stringify(formConf[field.param]) !== refusal.refusedValue) {
      return undefined;
    }
    return { [field.param]: `${field.reason} (refused by Airflow)` };
  }, [refusal, formConf]);

  const [submission, submit] = useAsyncFn(
    async (unpause: boolean) => {
      if (!conf.conf || problems.length > 0) return undefined;
      setRefusal(undefined);
      let run: AirflowTriggeredDagRun;
      try {
        run = await airflowApi.triggerDagRun({
          entityRef,
          instance,
          dagId,
          conf: conf.conf,
          logicalDate: date.iso,
          runId: runId || undefined,
          note: note.trim() ? note.trim() : undefined,
        });
      } catch (error) {
        const found = triggerRefusalOf(error, paramNames);
        setRefusal({
          ...found,
          refusedValue: found.field
            ? JSON.stringify(conf.conf[found.field.param])
            : undefined,
        });
        return undefined;
      }
      let unpauseError: string | undefined;
      if (unpause && run.dagIsPaused !== false) {
        try {
          await airflowApi.setDagPaused({
            entityRef,
            instance,
            dagId,
            isPaused: false,
          });
          run = { ...run, dagIsPaused: false };
        } catch (error) {
          unpauseError = errorMessage(error);
        }
      }
      onTriggered?.(run);
      return { run, unpauseError };
    },
    [
      airflowApi,
      entityRef,
      instance,
      dagId,
      conf,
      date,
      runId,
      note,
      problems,
      paramNames,
      onTriggered,
    ],
  );
  const submitting = submission.loading;
  const created = submission.value;

  const canUnpause = pausePermission?.allowed === true;
  const title = dag?.displayName ?? dagId;

  let content;
  if (created) {
    content = (
      <TriggeredRun
        entityRef={entityRef}
        run={created.run}
        unpauseError={created.unpauseError}
        pollIntervalMs={pollIntervalMs}
      />
    );
  } else if (details.loading || confText === undefined) {
    content = (
      <DialogContent>
        <Progress />
      </DialogContent>
    );
  } else {
    const jsonEditor = (
      <Suspense fallback={<Progress />}>
        <JsonConfEditor
          value={confText}
          onChange={editJson}
          label="Run config (conf)"
          readOnly={submitting}
        />
        {conf.error && (
          <Typography variant="body2" color="error" role="alert">
            {conf.error}
          </Typography>
        )}
        {!conf.error && (schemaErrors?.length ?? 0) > 0 && (
          <Box component="ul" sx={{ color: 'error.main', pl: 3, my: 1 }}>
            {schemaErrors!.map(e => (
              <Typography component="li" variant="body2" key={e.message}>
                {e.message}
              </Typography>
            ))}
          </Box>
        )}
      </Suspense>
    );
    content = (
      <DialogContent>
        {details.error && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            Could not load the DAG's params: {errorMessage(details.error)}
          </Alert>
        )}
        {dag?.isPaused && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            This DAG is paused: a run you trigger stays queued until the DAG is
            unpaused.
            {canUnpause
              ? ' "Unpause and trigger" unpauses it right after the run is created.'
              : ' You may not unpause it; ask an owner of the entity.'}
          </Alert>
        )}
        {form ? (
          <>
            <Tabs
              value={tab}
              onChange={(_, next) => setTab(next)}
              aria-label="Run config editors"
              sx={{ mb: 2 }}
            >
              <Tab label="Form" value="form" />
              <Tab label="JSON" value="json" />
            </Tabs>
            <Box hidden={tab !== 'form'} role="tabpanel" aria-label="Form">
              {conf.error && (
                <Alert severity="error" sx={{ mb: 2 }}>
                  The JSON has an error; the form shows the last valid run
                  config. {conf.error}
                </Alert>
              )}
              <Suspense fallback={<Progress />}>
                <ParamsForm
                  form={form}
                  conf={formConf}
                  onChange={editForm}
                  onValidation={setSchemaErrors}
                  fieldErrors={fieldErrors}
                  disabled={submitting}
                />
              </Suspense>
              <OtherConfKeys conf={formConf} params={paramNames} />
            </Box>
            {tab === 'json' && (
              <Box role="tabpanel" aria-label="JSON">
                {jsonEditor}
              </Box>
            )}
          </>
        ) : (
          <>
            <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
              Run config (conf)
            </Typography>
            {jsonEditor}
            <Typography variant="caption" color="text.secondary">
              This DAG declares no params: any JSON object is passed to the run.
            </Typography>
          </>
        )}
        <LogicalDateField
          value={logicalDate}
          zone={zone}
          onChange={(value, nextZone) => {
            setLogicalDate(value);
            setZone(nextZone);
          }}
          iso={date.iso}
          error={date.error}
          disabled={submitting}
        />
        <TextField
          id="airflow-trigger-run-id"
          label="Run id"
          value={runId}
          onChange={e => setRunId(e.target.value.trim())}
          error={Boolean(runIdError)}
          helperText={
            runIdError ??
            'Optional. Defaults to backstage__<date>__<random>; must be unique in the DAG.'
          }
          fullWidth
          margin="normal"
          disabled={submitting}
          inputProps={{ spellCheck: false }}
        />
        <TextField
          id="airflow-trigger-note"
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
          disabled={submitting}
        />
        {refusal && <RefusalAlert refusal={refusal} />}
        {link && (
          <TextField
            id="airflow-trigger-link"
            label="Link to this dialog with this run config"
            value={link.url}
            helperText={
              link.copied
                ? 'Copied. The link opens this dialog prefilled; it never triggers by itself.'
                : 'Copy this link. It opens this dialog prefilled; it never triggers by itself.'
            }
            InputProps={{ readOnly: true }}
            onFocus={e => e.target.select()}
            fullWidth
            margin="normal"
          />
        )}
      </DialogContent>
    );
  }

  const blocked = problems.length > 0 || validating || !conf.conf;
  return (
    <Dialog
      open={open}
      onClose={submitting ? undefined : onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby={TITLE_ID}
    >
      <DialogTitle id={TITLE_ID} sx={{ pb: 0 }}>
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
            <Button
              onClick={async () => {
                const url = triggerDialogLink(
                  window.location.href,
                  instance,
                  dagId,
                  confText ?? '{}',
                );
                let copied = false;
                try {
                  await window.navigator.clipboard.writeText(url);
                  copied = true;
                } catch {
                  // No clipboard (insecure page, denied): the field shows the link.
                }
                setLink({ url, copied });
              }}
              disabled={confText === undefined}
              sx={{ mr: 'auto' }}
            >
              Copy link
            </Button>
            {blocked && !validating && confText !== undefined && (
              <Typography variant="caption" color="error" sx={{ mr: 1 }}>
                {problems.length === 1
                  ? 'Fix the error above first'
                  : `Fix the ${problems.length} errors above first`}
              </Typography>
            )}
            <Button onClick={onClose} disabled={submitting}>
              Cancel
            </Button>
            {dag?.isPaused && canUnpause && (
              <Button
                onClick={() => submit(true)}
                variant="contained"
                disabled={blocked || submitting || details.loading}
              >
                Unpause and trigger
              </Button>
            )}
            <Button
              onClick={() => submit(false)}
              variant={dag?.isPaused && canUnpause ? 'outlined' : 'contained'}
              disabled={blocked || submitting || details.loading}
            >
              {submitting ? 'Triggering…' : 'Trigger'}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}

/** Conf keys that are no param of the DAG: kept, edited in the JSON tab. */
function OtherConfKeys(props: { conf: JsonObject; params: string[] }) {
  const others = Object.keys(props.conf).filter(
    key => !props.params.includes(key),
  );
  if (others.length === 0) return null;
  return (
    <Typography variant="caption" color="text.secondary" component="p">
      Also in the run config, not params of the DAG (edit them in the JSON tab):{' '}
      {others.join(', ')}
    </Typography>
  );
}

function RefusalAlert(props: { refusal: TriggerRefusal }) {
  const { refusal } = props;
  const existing = refusal.existingRun;
  return (
    <Alert severity="error" sx={{ mt: 2 }}>
      {existing ? (
        <>
          {refusal.message}
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mt: 1 }}>
            <DagRunStatus state={existing.state} />
            <Link to={existing.webUrl} aria-label="Open the existing DAG run">
              Open the existing DAG run
            </Link>
          </Box>
          <Typography variant="body2" sx={{ mt: 1 }}>
            Pick another logical date (or run id), or leave it empty for now.
          </Typography>
        </>
      ) : (
        <>Airflow refused the run: {refusal.message}</>
      )}
    </Alert>
  );
}

/** The created run, its state kept up to date until it settles. */
function TriggeredRun(props: {
  entityRef: CompoundEntityRef;
  run: AirflowTriggeredDagRun;
  unpauseError?: string;
  pollIntervalMs?: number;
}) {
  const { entityRef, run, unpauseError, pollIntervalMs } = props;
  const live = useLiveDagRun({ entityRef, run, pollIntervalMs }) ?? run;
  return (
    <DialogContent>
      <Alert severity="success">
        DAG run <strong>{run.runId}</strong> triggered.
      </Alert>
      {run.dagIsPaused && (
        <Alert severity="warning" sx={{ mt: 2 }}>
          The DAG is paused: this run stays queued until the DAG is unpaused.
          {unpauseError ? ` Unpausing failed: ${unpauseError}` : ''}
        </Alert>
      )}
      <Box
        sx={{ display: 'flex', alignItems: 'center', gap: 2, mt: 2 }}
        role="status"
        aria-label="State of the DAG run"
      >
        <DagRunStatus state={live.state} />
        <Link to={run.webUrl} aria-label="Open DAG run in Airflow">
          Open DAG run in Airflow
        </Link>
      </Box>
      <Typography variant="subtitle2" component="h3" sx={{ mt: 2 }}>
        Run config sent
      </Typography>
      <Box
        component="pre"
        aria-label="Run config sent"
        sx={{
          fontFamily: 'monospace',
          fontSize: '0.8rem',
          bgcolor: 'action.hover',
          p: 1,
          borderRadius: 1,
          overflow: 'auto',
          maxHeight: '12em',
        }}
      >
        {JSON.stringify(run.conf, null, 2)}
      </Box>
    </DialogContent>
  );
}
