import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EditorView } from '@codemirror/view';
import {
  act,
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Settings } from 'luxon';
import {
  NOTE_MAX_LENGTH,
  type AirflowDagDetails,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { airflowApiRef, type AirflowApi } from '../../api';
import { RUN_CONF_NOT_OBJECT_MESSAGE } from '../../lib/runConf';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import {
  allParamsDetails,
  dagRun,
  ordersEtlDetails,
} from '../../__fixtures__/dags';
import { airflowEntityRef } from '../../__fixtures__/entity';
import {
  TriggerDagRunDialog,
  type TriggerDagRunDialogProps,
} from './TriggerDagRunDialog';

// The form library and the editor are loaded on demand: the first load in a
// test file compiles them, which takes seconds on a busy machine.
jest.setTimeout(120_000);
configure({ asyncUtilTimeout: 30_000 });

const withDetails = (details: AirflowDagDetails) =>
  mockAirflowApi({ getDagDetails: jest.fn().mockResolvedValue(details) });

async function renderDialog(
  api: AirflowApi,
  props: Partial<TriggerDagRunDialogProps> = {},
) {
  await renderInTestApp(
    <TriggerDagRunDialog
      open
      entityRef={airflowEntityRef}
      instance="default"
      dagId="orders_etl"
      onClose={jest.fn()}
      {...props}
    />,
    { apis: [[airflowApiRef, api]] },
  );
  const element = await screen.findByRole('dialog', {
    name: 'Trigger DAG run',
  });
  const dialog = within(element);
  return { dialog, user: userEvent.setup() };
}

/** Waits for the generated form (it is loaded on demand). */
async function formReady(dialog: ReturnType<typeof within>) {
  await dialog.findByRole('tabpanel', { name: 'Form' });
  await waitFor(() =>
    expect(dialog.queryByTestId('progress')).not.toBeInTheDocument(),
  );
}

/** The CodeMirror editor of the run config, after opening the JSON tab when there is one. */
async function jsonEditor(
  dialog: ReturnType<typeof within>,
  user: ReturnType<typeof userEvent.setup>,
) {
  const tab = dialog.queryByRole('tab', { name: 'JSON' });
  if (tab) await user.click(tab);
  const content = await dialog.findByRole('textbox', {
    name: 'Run config (conf)',
  });
  const view = EditorView.findFromDOM(content);
  if (!view) throw new Error('No CodeMirror editor');
  return {
    text: () => view.state.doc.toString(),
    json: () => JSON.parse(view.state.doc.toString()),
    /** Replaces the text as typing would (a transaction of the editor). */
    set: (text: string) =>
      act(() => {
        view.dispatch({
          changes: { from: 0, to: view.state.doc.length, insert: text },
        });
      }),
  };
}

/** The errors the form shows under a top-level param's field. */
const fieldError = (param: string) =>
  document.getElementById(`root_${param}__error`)?.textContent ?? '';

const trigger = (dialog: ReturnType<typeof within>) =>
  dialog.getByRole('button', { name: 'Trigger' });

describe('TriggerDagRunDialog: the form generated from the params', () => {
  it('renders each param type with its control, labels and help', async () => {
    const { dialog, user } = await renderDialog(withDetails(allParamsDetails));
    await formReady(dialog);

    // enum with values_display: a select showing the labels.
    const region = dialog.getByRole('combobox', { name: 'region' });
    expect(region).toHaveTextContent('Europe, Middle East and Africa');
    await user.click(region);
    const options = within(await screen.findByRole('listbox'));
    // (The empty choice leaves the param to its default.)
    expect(options.getAllByRole('option').map(o => o.textContent)).toEqual([
      '',
      'Europe, Middle East and Africa',
      'Americas',
      'Asia-Pacific',
    ]);
    await user.keyboard('{Escape}');
    expect(dialog.getByText('Sales region')).toBeInTheDocument();

    // integer and number with bounds.
    expect(dialog.getByRole('spinbutton', { name: 'top_n' })).toHaveValue(10);
    expect(dialog.getByRole('spinbutton', { name: 'ratio' })).toHaveValue(0.5);
    // boolean: a switch.
    expect(
      dialog.getByRole('switch', { name: 'include_returns' }),
    ).not.toBeChecked();
    // strings, with length and pattern.
    expect(dialog.getByRole('textbox', { name: 'report_title' })).toHaveValue(
      'Daily sales',
    );
    expect(dialog.getByRole('textbox', { name: 'code' })).toHaveValue('ab1');
    // const: read-only.
    expect(dialog.getByRole('textbox', { name: 'mode' })).toBeDisabled();
    // description_md: rendered as Markdown, in place of the plain description.
    expect(dialog.getByText('the guide').tagName).toBe('STRONG');
    expect(dialog.queryByText('plain text help')).not.toBeInTheDocument();
    // array of enum items: a multi-select.
    expect(dialog.getByRole('combobox', { name: 'regions' })).toHaveTextContent(
      'emea',
    );
    // array without items: a list of strings.
    expect(dialog.getByRole('textbox', { name: 'tags-0' })).toHaveValue(
      'daily',
    );
    // object with properties: nested fields; without: one JSON field.
    expect(dialog.getByRole('textbox', { name: 'host' })).toHaveValue('db');
    expect(dialog.getByRole('spinbutton', { name: 'port' })).toHaveValue(5432);
    expect(
      JSON.parse(
        (dialog.getByRole('textbox', { name: 'options' }) as HTMLInputElement)
          .value,
      ),
    ).toEqual({ retries: 2 });

    // date, date-time and time, grouped in their section.
    const advanced = within(dialog.getByRole('group', { name: 'Advanced' }));
    expect(advanced.getByLabelText('report_date')).toHaveAttribute(
      'type',
      'date',
    );
    expect(advanced.getByLabelText('cutoff')).toHaveAttribute(
      'type',
      'datetime-local',
    );
    expect(advanced.getByLabelText('start_time')).toHaveAttribute(
      'type',
      'time',
    );
    expect(advanced.queryByLabelText('top_n')).not.toBeInTheDocument();
  });

  it('keeps the form and the JSON editor in sync, both ways', async () => {
    const { dialog, user } = await renderDialog(withDetails(allParamsDetails));
    await formReady(dialog);

    // Form → JSON.
    const topN = dialog.getByRole('spinbutton', { name: 'top_n' });
    await user.clear(topN);
    await user.type(topN, '42');
    await user.click(dialog.getByRole('switch', { name: 'include_returns' }));
    await user.click(dialog.getByRole('combobox', { name: 'region' }));
    await user.click(await screen.findByRole('option', { name: 'Americas' }));
    const editor = await jsonEditor(dialog, user);
    expect(editor.json()).toEqual({
      ...allParamsDetails.defaultConf,
      top_n: 42,
      include_returns: true,
      region: 'amer',
    });

    // JSON → form, other conf keys kept.
    editor.set(
      JSON.stringify({
        ...allParamsDetails.defaultConf,
        region: 'apac',
        report_title: 'From JSON',
        extra_key: 1,
      }),
    );
    await user.click(dialog.getByRole('tab', { name: 'Form' }));
    expect(dialog.getByRole('combobox', { name: 'region' })).toHaveTextContent(
      'Asia-Pacific',
    );
    expect(dialog.getByRole('textbox', { name: 'report_title' })).toHaveValue(
      'From JSON',
    );
    expect(
      dialog.getByText(/not params of the DAG .*: extra_key/),
    ).toBeInTheDocument();
  });

  it('refuses values out of bounds on their field before sending, then sends the fixed config', async () => {
    const api = withDetails(allParamsDetails);
    const { dialog, user } = await renderDialog(api);
    await formReady(dialog);
    const topN = dialog.getByRole('spinbutton', { name: 'top_n' });
    await user.clear(topN);
    await user.type(topN, '500');
    await waitFor(() =>
      expect(fieldError('top_n')).toBe('must be at most 100'),
    );
    const title = dialog.getByRole('textbox', { name: 'report_title' });
    await user.clear(title);
    await user.type(title, 'ab');
    await waitFor(() =>
      expect(fieldError('report_title')).toBe(
        'must have at least 3 characters',
      ),
    );
    const code = dialog.getByRole('textbox', { name: 'code' });
    await user.clear(code);
    await user.type(code, 'ABC');
    await waitFor(() =>
      expect(fieldError('code')).toBe('must match the pattern ^[a-z]+[0-9]$'),
    );
    expect(trigger(dialog)).toBeDisabled();
    expect(
      dialog.getByText('Fix the 3 errors above first'),
    ).toBeInTheDocument();

    // The JSON tab lists them too.
    await user.click(dialog.getByRole('tab', { name: 'JSON' }));
    expect(dialog.getByText('top_n: must be at most 100')).toBeInTheDocument();
    await user.click(dialog.getByRole('tab', { name: 'Form' }));

    await user.clear(topN);
    await user.type(topN, '5');
    await user.clear(title);
    await user.type(title, 'Weekly');
    await user.clear(code);
    await user.type(code, 'abc7');
    await waitFor(() => expect(trigger(dialog)).toBeEnabled());
    expect(fieldError('top_n')).toBe('');
    await user.click(trigger(dialog));
    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith(
        expect.objectContaining({
          conf: {
            ...allParamsDetails.defaultConf,
            top_n: 5,
            report_title: 'Weekly',
            code: 'abc7',
          },
        }),
      ),
    );
  });

  it('shows an Airflow refusal cleaned of the schema dump, on its field, until the value changes', async () => {
    const api = withDetails(allParamsDetails);
    api.triggerDagRun.mockRejectedValueOnce(
      await responseError(
        400,
        'InputError',
        "Invalid input for param top_n: 50 is greater than the maximum of 20\n\nFailed validating 'maximum' in schema:\n    {'type': 'integer', 'minimum': 1, 'maximum': 20}\n\nOn instance:\n    50",
      ),
    );
    const { dialog, user } = await renderDialog(api);
    await formReady(dialog);
    const topN = dialog.getByRole('spinbutton', { name: 'top_n' });
    await user.clear(topN);
    await user.type(topN, '50');
    await waitFor(() => expect(trigger(dialog)).toBeEnabled());
    await user.click(trigger(dialog));

    expect(
      await dialog.findByText(
        'Airflow refused the run: top_n: must be at most 20',
      ),
    ).toBeInTheDocument();
    expect(dialog.queryByText(/Failed validating/)).not.toBeInTheDocument();
    expect(fieldError('top_n')).toBe('must be at most 20 (refused by Airflow)');
    await user.clear(topN);
    await user.type(topN, '15');
    await waitFor(() => expect(fieldError('top_n')).toBe(''));
  });

  it('validates what is typed in the JSON tab against the same schema', async () => {
    const { dialog, user } = await renderDialog(withDetails(allParamsDetails));
    await formReady(dialog);
    const editor = await jsonEditor(dialog, user);
    editor.set(
      JSON.stringify({ ...allParamsDetails.defaultConf, region: 'mars' }),
    );
    expect(
      await dialog.findByText('region: must be one of emea, amer, apac'),
    ).toBeInTheDocument();
    expect(trigger(dialog)).toBeDisabled();
    editor.set('{"region": ');
    expect(await dialog.findByText(/^Invalid JSON: /)).toBeInTheDocument();
    await user.click(dialog.getByRole('tab', { name: 'Form' }));
    expect(
      dialog.getByText(
        /The JSON has an error; the form shows the last valid run config/,
      ),
    ).toBeInTheDocument();
  });
});

describe('TriggerDagRunDialog: a DAG without params', () => {
  const noParams = { ...ordersEtlDetails, params: {}, defaultConf: {} };

  it('offers only the JSON editor, and sends any JSON object', async () => {
    const api = withDetails(noParams);
    const { dialog, user } = await renderDialog(api);
    const editor = await jsonEditor(dialog, user);
    expect(dialog.queryByRole('tab')).not.toBeInTheDocument();
    expect(editor.json()).toEqual({});
    editor.set('{"anything": [1, {"deep": true}]}');
    await waitFor(() => expect(trigger(dialog)).toBeEnabled());
    await user.click(trigger(dialog));
    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith(
        expect.objectContaining({ conf: { anything: [1, { deep: true }] } }),
      ),
    );
  });

  it.each([['[1]'], ['"x"'], ['null'], ['42']])(
    'refuses %s: the run config must be a JSON object',
    async text => {
      const { dialog, user } = await renderDialog(withDetails(noParams));
      const editor = await jsonEditor(dialog, user);
      editor.set(text);
      expect(
        await dialog.findByText(RUN_CONF_NOT_OBJECT_MESSAGE),
      ).toBeInTheDocument();
      expect(trigger(dialog)).toBeDisabled();
      editor.set('{}');
      await waitFor(() => expect(trigger(dialog)).toBeEnabled());
    },
  );

  it('refuses a run config nested deeper than the backend forwards', async () => {
    const { dialog, user } = await renderDialog(withDetails(noParams));
    const editor = await jsonEditor(dialog, user);
    editor.set(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`);
    expect(
      await dialog.findByText(/conf is nested deeper than 32 levels/),
    ).toBeInTheDocument();
    expect(trigger(dialog)).toBeDisabled();
  });

  it('still allows triggering with an empty run config when the DAG details cannot be loaded', async () => {
    const api = mockAirflowApi({
      getDagDetails: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            503,
            'ServiceUnavailableError',
            'Airflow is down',
          ),
        ),
    });
    const { dialog, user } = await renderDialog(api);
    expect(
      await dialog.findByText(
        "Could not load the DAG's params: Airflow is down",
      ),
    ).toBeInTheDocument();
    expect((await jsonEditor(dialog, user)).json()).toEqual({});
    await user.click(trigger(dialog));
    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith(
        expect.objectContaining({ conf: {} }),
      ),
    );
  });
});

describe('TriggerDagRunDialog: logical date, run id, note', () => {
  const zone = Settings.defaultZone;
  afterEach(() => {
    Settings.defaultZone = zone;
  });

  it('shows the logical date in UTC and local time, typed in either', async () => {
    Settings.defaultZone = 'Europe/Paris';
    const api = mockAirflowApi();
    const { dialog, user } = await renderDialog(api);
    await formReady(dialog);
    const input = dialog.getByLabelText('Logical date');
    fireEvent.change(input, { target: { value: '2025-03-29T19:48' } });
    expect(
      dialog.getByLabelText('Logical date in UTC and local time'),
    ).toHaveTextContent(
      '2025-03-29 18:48:00 UTC · 2025-03-29 19:48:00 Europe/Paris (UTC+01:00)',
    );
    await user.click(dialog.getByRole('button', { name: 'UTC' }));
    // (jsdom, like browsers, drops ":00" seconds from the shown value.)
    expect((input as HTMLInputElement).value).toMatch(
      /^2025-03-29T18:48(:00)?$/,
    );
    expect(
      dialog.getByLabelText('Logical date in UTC and local time'),
    ).toHaveTextContent('2025-03-29 18:48:00 UTC');
    await user.click(trigger(dialog));
    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith(
        expect.objectContaining({ logicalDate: '2025-03-29T18:48:00Z' }),
      ),
    );
  });

  it("checks a custom run id against Airflow's pattern before sending", async () => {
    const api = mockAirflowApi();
    const { dialog, user } = await renderDialog(api);
    await formReady(dialog);
    const runId = dialog.getByRole('textbox', { name: 'Run id' });
    await user.type(runId, 'nightly/1');
    expect(runId).toHaveAccessibleDescription(/may contain only letters/);
    expect(trigger(dialog)).toBeDisabled();
    await user.clear(runId);
    await user.type(runId, 'rerun_2025-03-29T19:48:00+00:00');
    await waitFor(() => expect(trigger(dialog)).toBeEnabled());
    await user.click(trigger(dialog));
    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith(
        expect.objectContaining({ runId: 'rerun_2025-03-29T19:48:00+00:00' }),
      ),
    );
  });

  it('accepts a note of exactly NOTE_MAX_LENGTH characters and refuses 900, as the backend does', async () => {
    const api = mockAirflowApi();
    const { dialog, user } = await renderDialog(api);
    await formReady(dialog);
    const note = dialog.getByRole('textbox', { name: 'Note' });
    await waitFor(() => expect(trigger(dialog)).toBeEnabled());
    fireEvent.change(note, { target: { value: 'x'.repeat(900) } });
    expect(
      dialog.getByText(`note is longer than ${NOTE_MAX_LENGTH} characters`),
    ).toBeInTheDocument();
    expect(trigger(dialog)).toBeDisabled();
    fireEvent.change(note, { target: { value: 'x'.repeat(NOTE_MAX_LENGTH) } });
    expect(trigger(dialog)).toBeEnabled();
    await user.click(trigger(dialog));
    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith({
        entityRef: airflowEntityRef,
        instance: 'default',
        dagId: 'orders_etl',
        conf: { region: 'eu', full_refresh: false },
        logicalDate: undefined,
        runId: undefined,
        note: 'x'.repeat(NOTE_MAX_LENGTH),
      }),
    );
  });
});

describe('TriggerDagRunDialog: a paused DAG', () => {
  const paused = { ...ordersEtlDetails, isPaused: true };

  it('warns that the run stays queued, and "Unpause and trigger" triggers, then unpauses', async () => {
    const api = withDetails(paused);
    api.triggerDagRun.mockResolvedValueOnce({
      ...dagRun({ runId: 'backstage__1', state: 'queued' }),
      dagIsPaused: true,
    });
    const onTriggered = jest.fn();
    const { dialog, user } = await renderDialog(api, {
      pausePermission: { allowed: true, loading: false },
      onTriggered,
    });
    await formReady(dialog);
    expect(
      dialog.getByText(/This DAG is paused: a run you trigger stays queued/),
    ).toBeInTheDocument();
    await user.click(
      dialog.getByRole('button', { name: 'Unpause and trigger' }),
    );
    await dialog.findByText('backstage__1');
    expect(api.setDagPaused).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
      isPaused: false,
    });
    expect(api.setDagPaused.mock.invocationCallOrder[0]).toBeGreaterThan(
      api.triggerDagRun.mock.invocationCallOrder[0],
    );
    expect(onTriggered).toHaveBeenCalledWith(
      expect.objectContaining({ runId: 'backstage__1', dagIsPaused: false }),
    );
    expect(dialog.queryByText(/stays queued/)).not.toBeInTheDocument();
  });

  it('without the pause permission: says so, offers no unpause, and the answer keeps the warning', async () => {
    const api = withDetails(paused);
    api.triggerDagRun.mockResolvedValueOnce({
      ...dagRun({ runId: 'backstage__2', state: 'queued' }),
      dagIsPaused: true,
    });
    const { dialog, user } = await renderDialog(api, {
      pausePermission: { allowed: false, loading: false, reason: 'no' },
    });
    await formReady(dialog);
    expect(dialog.getByText(/You may not unpause it/)).toBeInTheDocument();
    expect(
      dialog.queryByRole('button', { name: 'Unpause and trigger' }),
    ).not.toBeInTheDocument();
    await user.click(trigger(dialog));
    expect(
      await dialog.findByText(
        'The DAG is paused: this run stays queued until the DAG is unpaused.',
      ),
    ).toBeInTheDocument();
    expect(api.setDagPaused).not.toHaveBeenCalled();
  });
});

describe('TriggerDagRunDialog: prefill, link, answers', () => {
  it('starts from a given run config (a past run, a link) instead of the defaults', async () => {
    const { dialog, user } = await renderDialog(mockAirflowApi(), {
      initialConfText:
        '{"region":"us","full_refresh":true,"since":"2025-01-01"}',
    });
    await formReady(dialog);
    expect(dialog.getByRole('combobox', { name: 'region' })).toHaveTextContent(
      'us',
    );
    expect(dialog.getByRole('switch', { name: 'full_refresh' })).toBeChecked();
    const editor = await jsonEditor(dialog, user);
    expect(editor.text()).toBe(
      JSON.stringify(
        { region: 'us', full_refresh: true, since: '2025-01-01' },
        null,
        2,
      ),
    );
  });

  it('gives a link that opens the dialog with this config, and triggers nothing', async () => {
    const api = mockAirflowApi();
    const { dialog, user } = await renderDialog(api);
    await formReady(dialog);
    await user.click(dialog.getByRole('switch', { name: 'full_refresh' }));
    await user.click(dialog.getByRole('button', { name: 'Copy link' }));
    const field = await dialog.findByRole('textbox', {
      name: 'Link to this dialog with this run config',
    });
    const url = new URL((field as HTMLInputElement).value);
    expect(url.searchParams.get('instance')).toBe('default');
    expect(url.searchParams.get('dag')).toBe('orders_etl');
    expect(JSON.parse(url.searchParams.get('trigger')!)).toEqual({
      region: 'eu',
      full_refresh: true,
    });
    expect(
      dialog.getByText(/^Copied\. The link opens this dialog prefilled/),
    ).toBeInTheDocument();
    expect(api.triggerDagRun).not.toHaveBeenCalled();
  });

  it('names the existing run of a duplicate logical date (409) and offers to open it', async () => {
    const existing = dagRun({
      runId: 'scheduled__2025-03-29T00:00:00+00:00',
      state: 'success',
    });
    const error = await responseError(
      409,
      'ConflictError',
      `DAG 'orders_etl' already has a DAG run with logical date 2025-03-29T00:00:00Z: '${existing.runId}' (Airflow instance 'default')`,
    );
    (error.body.error as any).existingRun = existing;
    const api = mockAirflowApi({
      triggerDagRun: jest.fn().mockRejectedValue(error),
    });
    const { dialog, user } = await renderDialog(api);
    await formReady(dialog);
    await user.click(trigger(dialog));
    expect(
      await dialog.findByText(/already has a DAG run with logical date/),
    ).toHaveTextContent(existing.runId);
    expect(
      dialog.getByRole('link', { name: /Open the existing DAG run/ }),
    ).toHaveAttribute('href', existing.webUrl);
    expect(trigger(dialog)).toBeEnabled();
  });

  it('shows the new run with its link, and keeps its state up to date', async () => {
    const created = {
      ...dagRun({ runId: 'backstage__live', state: 'queued' }),
      dagIsPaused: false,
    };
    const api = mockAirflowApi({
      triggerDagRun: jest.fn().mockResolvedValue(created),
      getDagRun: jest
        .fn()
        .mockResolvedValueOnce({
          run: { ...created, state: 'running' },
          taskInstances: [],
        })
        .mockResolvedValue({
          run: { ...created, state: 'success' },
          taskInstances: [],
        }),
    });
    const { dialog, user } = await renderDialog(api, { pollIntervalMs: 20 });
    await formReady(dialog);
    await user.click(trigger(dialog));
    expect(await dialog.findByText('backstage__live')).toBeInTheDocument();
    expect(
      dialog.getByRole('link', { name: /Open DAG run in Airflow/ }),
    ).toHaveAttribute('href', created.webUrl);
    const state = dialog.getByRole('status', { name: 'State of the DAG run' });
    await waitFor(() => expect(state).toHaveTextContent(/success/i));
    expect(api.getDagRun).toHaveBeenCalledTimes(2);
    expect(
      JSON.parse(dialog.getByLabelText('Run config sent').textContent!),
    ).toEqual(created.conf);
  });
});
