import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Settings } from 'luxon';
import { NOTE_MAX_LENGTH } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { airflowApiRef, type AirflowApi } from '../../api';
import { RUN_CONF_NOT_OBJECT_MESSAGE } from '../../lib/runConf';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import { airflowEntityRef } from '../../__fixtures__/entity';
import { TriggerDagRunDialog } from './TriggerDagRunDialog';

async function renderDialog(api: AirflowApi, onTriggered = jest.fn()) {
  await renderInTestApp(
    <TriggerDagRunDialog
      open
      entityRef={airflowEntityRef}
      instance="default"
      dagId="orders_etl"
      onClose={jest.fn()}
      onTriggered={onTriggered}
    />,
    { apis: [[airflowApiRef, api]] },
  );
  const dialog = await screen.findByRole('dialog', { name: 'Trigger DAG run' });
  const conf = await within(dialog).findByRole('textbox', {
    name: 'Run config (conf)',
  });
  return { dialog: within(dialog), conf };
}

/** Replaces the editor's text (userEvent.type would interpret `{` and `[`). */
function setConf(conf: HTMLElement, text: string) {
  fireEvent.change(conf, { target: { value: text } });
}

describe('TriggerDagRunDialog', () => {
  const zone = Settings.defaultZone;
  afterEach(() => {
    Settings.defaultZone = zone;
  });

  it('accepts a note of exactly NOTE_MAX_LENGTH characters and refuses 900 before sending, as the backend does', async () => {
    const api = mockAirflowApi();
    const { dialog } = await renderDialog(api);
    const note = dialog.getByRole('textbox', { name: 'Note' });
    const trigger = dialog.getByRole('button', { name: 'Trigger' });
    await waitFor(() => expect(trigger).toBeEnabled());

    fireEvent.change(note, { target: { value: 'x'.repeat(900) } });
    expect(
      dialog.getByText(`note is longer than ${NOTE_MAX_LENGTH} characters`),
    ).toBeInTheDocument();
    expect(trigger).toBeDisabled();

    fireEvent.change(note, { target: { value: 'x'.repeat(NOTE_MAX_LENGTH) } });
    expect(trigger).toBeEnabled();
    await userEvent.setup().click(trigger);
    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith(
        expect.objectContaining({ note: 'x'.repeat(NOTE_MAX_LENGTH) }),
      ),
    );
  });

  it('refuses a run config nested deeper than the backend forwards', async () => {
    const api = mockAirflowApi();
    const { dialog, conf } = await renderDialog(api);
    setConf(conf, `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`);
    expect(
      dialog.getByText(/conf is nested deeper than 32 levels/),
    ).toBeInTheDocument();
    expect(dialog.getByRole('button', { name: 'Trigger' })).toBeDisabled();
  });

  it('prefills the run config with the DAG params defaults', async () => {
    const api = mockAirflowApi();
    const { dialog, conf } = await renderDialog(api);
    expect(JSON.parse((conf as HTMLTextAreaElement).value)).toEqual({
      region: 'eu',
      full_refresh: false,
    });
    expect(dialog.getByText('region')).toBeInTheDocument();
    expect(dialog.getByText(/Warehouse region/)).toBeInTheDocument();
    expect(api.getDagDetails).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
    });
  });

  it('sends a valid JSON object as conf, with the logical date and note', async () => {
    Settings.defaultZone = 'Europe/Paris';
    const user = userEvent.setup();
    const api = mockAirflowApi();
    const onTriggered = jest.fn();
    const { dialog, conf } = await renderDialog(api, onTriggered);

    setConf(conf, '{"region": "us", "limit": 10}');
    fireEvent.change(dialog.getByLabelText('Logical date'), {
      target: { value: '2025-03-29T19:48' },
    });
    await user.type(dialog.getByRole('textbox', { name: 'Note' }), 'backfill');
    await user.click(dialog.getByRole('button', { name: 'Trigger' }));

    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith({
        entityRef: airflowEntityRef,
        instance: 'default',
        dagId: 'orders_etl',
        conf: { region: 'us', limit: 10 },
        logicalDate: '2025-03-29T19:48:00+01:00',
        note: 'backfill',
      }),
    );
    expect(onTriggered).toHaveBeenCalledWith(
      expect.objectContaining({ runId: 'manual__2025-03-30T08:00:00+00:00' }),
    );
  });

  it('shows the new DAG run with a link to it in Airflow after triggering', async () => {
    const user = userEvent.setup();
    const { dialog } = await renderDialog(mockAirflowApi());
    await user.click(dialog.getByRole('button', { name: 'Trigger' }));
    expect(
      await dialog.findByText('manual__2025-03-30T08:00:00+00:00'),
    ).toBeInTheDocument();
    expect(
      dialog.getByRole('link', { name: /Open DAG run in Airflow/ }),
    ).toHaveAttribute(
      'href',
      `https://airflow.example.com/dags/orders_etl/runs/${encodeURIComponent(
        'manual__2025-03-30T08:00:00+00:00',
      )}`,
    );
    expect(dialog.getByRole('button', { name: 'Close' })).toBeInTheDocument();
  });

  it('shows a parse error and disables Trigger for invalid JSON', async () => {
    const api = mockAirflowApi();
    const { dialog, conf } = await renderDialog(api);
    setConf(conf, '{"region": }');
    expect(await dialog.findByText(/^Invalid JSON: /)).toBeInTheDocument();
    expect(conf).toHaveAttribute('aria-invalid', 'true');
    expect(dialog.getByRole('button', { name: 'Trigger' })).toBeDisabled();
  });

  it.each([['[1]'], ['"x"'], ['null'], ['42']])(
    'shows "must be a JSON object" and disables Trigger for %s',
    async text => {
      const { dialog, conf } = await renderDialog(mockAirflowApi());
      setConf(conf, text);
      expect(
        await dialog.findByText(RUN_CONF_NOT_OBJECT_MESSAGE),
      ).toBeInTheDocument();
      expect(RUN_CONF_NOT_OBJECT_MESSAGE).toMatch(/must be a JSON object/);
      expect(dialog.getByRole('button', { name: 'Trigger' })).toBeDisabled();
    },
  );

  it('enables Trigger again once the run config is a JSON object', async () => {
    const { dialog, conf } = await renderDialog(mockAirflowApi());
    setConf(conf, '[1]');
    expect(dialog.getByRole('button', { name: 'Trigger' })).toBeDisabled();
    setConf(conf, '{}');
    expect(dialog.getByRole('button', { name: 'Trigger' })).toBeEnabled();
  });

  it("shows Airflow's own message when the backend refuses the DAG run (400)", async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi({
      triggerDagRun: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            400,
            'InputError',
            "Invalid input for param region: 'mars' is not one of ['eu', 'us']",
          ),
        ),
    });
    const { dialog, conf } = await renderDialog(api);
    setConf(conf, '{"region": "mars"}');
    await user.click(dialog.getByRole('button', { name: 'Trigger' }));
    expect(
      await dialog.findByText(
        "Invalid input for param region: 'mars' is not one of ['eu', 'us']",
      ),
    ).toBeInTheDocument();
    // The form stays open for a correction.
    expect(dialog.getByRole('button', { name: 'Trigger' })).toBeEnabled();
  });

  it("shows Airflow's conflict message when the DAG run already exists (409)", async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi({
      triggerDagRun: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            409,
            'ConflictError',
            'DAGRun with DAG ID orders_etl and logical date 2025-03-29 already exists',
          ),
        ),
    });
    const { dialog } = await renderDialog(api);
    await user.click(dialog.getByRole('button', { name: 'Trigger' }));
    expect(
      await dialog.findByText(
        'DAGRun with DAG ID orders_etl and logical date 2025-03-29 already exists',
      ),
    ).toBeInTheDocument();
  });

  it('still allows triggering with an empty run config when the DAG details cannot be loaded', async () => {
    const user = userEvent.setup();
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
    const { dialog, conf } = await renderDialog(api);
    expect(
      dialog.getByText("Could not load the DAG's params: Airflow is down"),
    ).toBeInTheDocument();
    expect((conf as HTMLTextAreaElement).value).toBe('{}');
    await user.click(dialog.getByRole('button', { name: 'Trigger' }));
    await waitFor(() =>
      expect(api.triggerDagRun).toHaveBeenCalledWith(
        expect.objectContaining({ conf: {} }),
      ),
    );
  });
});
