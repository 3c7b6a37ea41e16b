import { useAppLocation } from '@backstage/frontend-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  configure,
  act,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { airflowApiRef, type AirflowApi } from '../../api';
import type { AirflowPermissions } from '../../hooks';
import {
  allPermissions,
  permissionsDenying,
} from '../../__fixtures__/permissions';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import { dagRun } from '../../__fixtures__/dags';
import { airflowEntityRef } from '../../__fixtures__/entity';
import { DagRunsView } from './DagRunsView';

const allowed = allPermissions;
const denied = permissionsDenying(
  'trigger',
  'pause',
  'clear',
  'logs',
  'stateUpdate',
);

const failedRunId = 'manual__2025-03-29T19:48:49.273773+00:00';

/** Shows the current query string, to check what the view writes to the URL. */
function LocationSearch() {
  const { search } = useAppLocation();
  return <output aria-label="Query">{search}</output>;
}

/** The query parameters of the current URL. */
function currentQuery(): URLSearchParams {
  return new URLSearchParams(
    screen.getByRole('status', { name: 'Query' }).textContent ?? '',
  );
}

async function renderView(options: {
  api: AirflowApi;
  permissions?: AirflowPermissions;
  pollIntervalMs?: number;
  onBack?: () => void;
  initialRoute?: string;
}) {
  return renderInTestApp(
    <>
      <DagRunsView
        entityRef={airflowEntityRef}
        instance="default"
        dagId="orders_etl"
        permissions={options.permissions ?? allowed}
        onBack={options.onBack ?? jest.fn()}
        pollIntervalMs={options.pollIntervalMs ?? 60_000}
      />
      <LocationSearch />
    </>,
    {
      apis: [[airflowApiRef, options.api]],
      initialRouteEntries: options.initialRoute
        ? [options.initialRoute]
        : undefined,
    },
  );
}

function rowOf(text: string): HTMLElement {
  const row = screen.getByText(text).closest('tr');
  if (!row) throw new Error(`No table row contains ${text}`);
  return row as HTMLElement;
}

function setDocumentHidden(hidden: boolean) {
  Object.defineProperty(document, 'hidden', {
    configurable: true,
    get: () => hidden,
  });
}

// The trigger dialog loads its form library and editor on demand: the first
// load in a test file compiles them, which takes seconds on a busy machine.
jest.setTimeout(120_000);
configure({ asyncUtilTimeout: 30_000 });

describe('DagRunsView', () => {
  afterEach(() => setDocumentHidden(false));

  it('renders a page of DAG runs with state, run type, duration, note and a link to Airflow', async () => {
    const api = mockAirflowApi();
    await renderView({ api });

    expect(await screen.findByText('DAG runs')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Orders ETL' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/orders_etl on instance default · At 06:00/),
    ).toBeInTheDocument();

    const failed = within(rowOf(failedRunId));
    expect(failed.getByText('failed')).toBeInTheDocument();
    expect(failed.getByText('manual')).toBeInTheDocument();
    expect(failed.getByText('2m')).toBeInTheDocument();
    expect(
      failed.getByText('Triggered from Backstage by user:default/jane'),
    ).toBeInTheDocument();
    expect(
      failed.getByRole('link', { name: /Open DAG run in Airflow/ }),
    ).toHaveAttribute(
      'href',
      `https://airflow.example.com/dags/orders_etl/runs/${encodeURIComponent(
        failedRunId,
      )}`,
    );

    const scheduled = within(rowOf('scheduled__2025-03-29T06:00:00+00:00'));
    expect(scheduled.getByText('success')).toBeInTheDocument();
    expect(scheduled.getByText('4m 30s')).toBeInTheDocument();

    expect(api.listDagRuns).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
      limit: 25,
      offset: 0,
      states: undefined,
    });
    // 42 DAG runs over pages of 25.
    expect(screen.getAllByText('1-25 of 42').length).toBeGreaterThan(0);
  });

  it('filters DAG runs by state', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderView({ api });
    await screen.findByText(failedRunId);

    const filter = screen.getByRole('group', {
      name: 'Filter DAG runs by state',
    });
    await user.click(within(filter).getByRole('button', { name: 'failed' }));
    await waitFor(() =>
      expect(api.listDagRuns).toHaveBeenLastCalledWith(
        expect.objectContaining({ states: ['failed'], offset: 0 }),
      ),
    );
    await user.click(within(filter).getByRole('button', { name: 'running' }));
    await waitFor(() =>
      expect(api.listDagRuns).toHaveBeenLastCalledWith(
        // In the states' own order, whatever the order of the clicks.
        expect.objectContaining({ states: ['running', 'failed'] }),
      ),
    );
  });

  it('keeps the state filter in the URL and reads it from there', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderView({ api, initialRoute: '/?state=failed&state=bogus' });
    await waitFor(() =>
      expect(api.listDagRuns).toHaveBeenCalledWith(
        expect.objectContaining({ states: ['failed'] }),
      ),
    );
    // The filter shows once the DAG's details have loaded too.
    const filter = await screen.findByRole('group', {
      name: 'Filter DAG runs by state',
    });
    expect(
      within(filter).getByRole('button', { name: 'failed' }),
    ).toHaveAttribute('aria-pressed', 'true');

    await user.click(within(filter).getByRole('button', { name: 'running' }));
    await waitFor(() =>
      expect(currentQuery().getAll('state')).toEqual(['running', 'failed']),
    );
    await user.click(within(filter).getByRole('button', { name: 'failed' }));
    await user.click(within(filter).getByRole('button', { name: 'running' }));
    await waitFor(() => expect(currentQuery().has('state')).toBe(false));
    expect(api.listDagRuns).toHaveBeenLastCalledWith(
      expect.objectContaining({ states: undefined }),
    );
  });

  it('keeps the run whose task instances are shown in the URL', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderView({ api });
    await screen.findByText(failedRunId);
    await user.click(
      within(rowOf(failedRunId)).getByRole('button', {
        name: 'Show task instances',
      }),
    );
    expect(
      await screen.findByRole('table', {
        name: `Task instances of DAG run ${failedRunId}`,
      }),
    ).toBeInTheDocument();
    expect(currentQuery().get('run')).toBe(failedRunId);

    await user.click(
      within(rowOf(failedRunId)).getByRole('button', {
        name: 'Hide task instances',
      }),
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('table', {
          name: `Task instances of DAG run ${failedRunId}`,
        }),
      ).not.toBeInTheDocument(),
    );
    expect(currentQuery().has('run')).toBe(false);
  });

  it('shows the task instances of the run named in the URL', async () => {
    const api = mockAirflowApi();
    await renderView({
      api,
      initialRoute: `/?run=${encodeURIComponent(failedRunId)}`,
    });
    expect(
      await screen.findByRole('table', {
        name: `Task instances of DAG run ${failedRunId}`,
      }),
    ).toBeInTheDocument();
    expect(
      within(rowOf(failedRunId)).getByRole('button', {
        name: 'Hide task instances',
      }),
    ).toHaveAttribute('aria-expanded', 'true');
  });

  it('loads a run named in the URL that is not on the current page by itself', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    const olderRunId = 'scheduled__2025-01-01T06:00:00+00:00';
    await renderView({
      api,
      initialRoute: `/?run=${encodeURIComponent(olderRunId)}`,
    });
    const section = await screen.findByRole('region', {
      name: `DAG run ${olderRunId}`,
    });
    expect(
      await within(section).findByRole('table', {
        name: `Task instances of DAG run ${olderRunId}`,
      }),
    ).toBeInTheDocument();
    expect(api.getDagRun).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
      runId: olderRunId,
    });
    await user.click(
      within(section).getByRole('button', { name: 'Close the DAG run' }),
    );
    await waitFor(() => expect(currentQuery().has('run')).toBe(false));
    expect(
      screen.queryByRole('region', { name: `DAG run ${olderRunId}` }),
    ).not.toBeInTheDocument();
  });

  it('keeps the task instances of a run open across reloads and its state changes', async () => {
    const user = userEvent.setup();
    // A fake Airflow whose run runs until the test lets it finish.
    let polls = 0;
    let finished = false;
    const api = mockAirflowApi({
      listDagRuns: jest.fn().mockImplementation(async () => {
        polls += 1;
        return {
          items: [
            dagRun({
              runId: 'manual__1',
              state: finished ? 'success' : 'running',
            }),
          ],
          totalEntries: 1,
        };
      }),
    });
    await renderView({ api, pollIntervalMs: 50 });
    await screen.findByText('manual__1');
    await user.click(
      within(rowOf('manual__1')).getByRole('button', {
        name: 'Show task instances',
      }),
    );
    const panel = await screen.findByRole('table', {
      name: 'Task instances of DAG run manual__1',
    });
    // Refreshes while the run is running…
    const pollsWhenOpened = polls;
    await waitFor(() => expect(polls).toBeGreaterThan(pollsWhenOpened + 2), {
      timeout: 10_000,
    });
    expect(panel).toBeInTheDocument();
    // …and after its state changed.
    finished = true;
    await waitFor(
      () =>
        expect(
          within(rowOf('manual__1')).getByText('success'),
        ).toBeInTheDocument(),
      { timeout: 10_000 },
    );
    // Still open, and the same panel (not mounted anew by a reload).
    expect(panel).toBeInTheDocument();
    expect(
      within(rowOf('manual__1')).getByRole('button', {
        name: 'Hide task instances',
      }),
    ).toHaveAttribute('aria-expanded', 'true');
    expect(currentQuery().get('run')).toBe('manual__1');
  });

  it('shows a long run id on one line with the whole id in a tooltip and a copy button', async () => {
    const user = userEvent.setup();
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText },
    });
    await renderView({ api: mockAirflowApi() });
    const id = await screen.findByText(failedRunId);
    const row = rowOf(failedRunId);
    // Cut with an ellipsis rather than broken over lines.
    expect(id).toHaveStyle({ whiteSpace: 'nowrap', textOverflow: 'ellipsis' });
    await user.hover(id);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(failedRunId);
    await user.click(
      within(row).getByRole('button', {
        name: `Copy run id ${failedRunId}`,
      }),
    );
    expect(writeText).toHaveBeenCalledWith(failedRunId);
  });

  it('loads the next page of DAG runs with an offset', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderView({ api });
    await screen.findByText(failedRunId);
    await user.click(screen.getByRole('button', { name: 'Next Page' }));
    await waitFor(() =>
      expect(api.listDagRuns).toHaveBeenLastCalledWith(
        expect.objectContaining({ limit: 25, offset: 25 }),
      ),
    );
  });

  it('shows the task instances of a DAG run with their try number of the number of tries', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderView({ api });
    await screen.findByText(failedRunId);
    await user.click(
      within(rowOf(failedRunId)).getByRole('button', {
        name: 'Show task instances',
      }),
    );
    const table = await screen.findByRole('table', {
      name: `Task instances of DAG run ${failedRunId}`,
    });
    const load = within(table).getByText('load').closest('tr')!;
    expect(within(load).getByText('3 / 3')).toBeInTheDocument();
    expect(within(load).getByText('PostgresOperator')).toBeInTheDocument();
    expect(within(load).getByText('failed')).toBeInTheDocument();
    expect(api.getDagRun).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
      runId: failedRunId,
    });
  });

  it('reloads while a DAG run is running and stops once the DAG runs settle', async () => {
    const running = {
      items: [dagRun({ runId: 'manual__1', state: 'running' as const })],
      totalEntries: 1,
    };
    const settled = {
      items: [dagRun({ runId: 'manual__1', state: 'success' as const })],
      totalEntries: 1,
    };
    const api = mockAirflowApi({
      listDagRuns: jest
        .fn()
        .mockResolvedValueOnce(running)
        .mockResolvedValueOnce(running)
        .mockResolvedValue(settled),
    });
    await renderView({ api, pollIntervalMs: 50 });

    expect(
      await screen.findByText(
        'Refreshing while DAG runs are queued or running',
      ),
    ).toBeInTheDocument();
    await waitFor(
      () =>
        expect(
          within(rowOf('manual__1')).getByText('success'),
        ).toBeInTheDocument(),
      // Three polls 50 ms apart, each a re-render: allow for a busy machine.
      { timeout: 10_000 },
    );
    expect(
      screen.queryByText('Refreshing while DAG runs are queued or running'),
    ).not.toBeInTheDocument();
    const calls = (api.listDagRuns as jest.Mock).mock.calls.length;
    expect(calls).toBe(3);
    await act(() => new Promise(resolve => setTimeout(resolve, 200)));
    expect(api.listDagRuns).toHaveBeenCalledTimes(calls);
  });

  it('does not reload while the document is hidden, and reloads when it is shown again', async () => {
    const running = {
      items: [dagRun({ runId: 'manual__1', state: 'queued' as const })],
      totalEntries: 1,
    };
    const api = mockAirflowApi({
      listDagRuns: jest.fn().mockResolvedValue(running),
    });
    setDocumentHidden(true);
    await renderView({ api, pollIntervalMs: 50 });
    await screen.findByText('manual__1');
    await act(() => new Promise(resolve => setTimeout(resolve, 250)));
    expect(api.listDagRuns).toHaveBeenCalledTimes(1);

    setDocumentHidden(false);
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor(() => expect(api.listDagRuns).toHaveBeenCalledTimes(2));
  });

  it('shows "DAG not found" when the DAG or its instance is unknown (404)', async () => {
    const api = mockAirflowApi({
      getDagDetails: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            404,
            'NotFoundError',
            "Entity component:default/orders-pipeline has no DAG 'orders_etl' on instance 'default'",
          ),
        ),
    });
    await renderView({ api });
    expect(await screen.findByText('DAG not found')).toBeInTheDocument();
    expect(
      screen.getByText(
        "Entity component:default/orders-pipeline has no DAG 'orders_etl' on instance 'default'",
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back to DAGs' })).toBeEnabled();
  });

  it('says why when Airflow is down (503): the typed reason, the message, the error name and status', async () => {
    const api = mockAirflowApi({
      getDagDetails: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            503,
            'ServiceUnavailableError',
            'Airflow instance default is not reachable: connect ECONNREFUSED',
          ),
        ),
    });
    await renderView({ api });
    expect(
      await screen.findByText(
        'Error: Could not load DAG orders_etl: Airflow instance default is unavailable',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Airflow instance default is not reachable: connect ECONNREFUSED',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('ServiceUnavailableError (HTTP 503)'),
    ).toBeInTheDocument();
  });

  it('says why the DAG runs cannot be loaded when the instance refuses the credentials', async () => {
    const api = mockAirflowApi({
      listDagRuns: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            503,
            'AirflowAuthenticationError',
            "Airflow instance 'default': authentication failed",
          ),
        ),
    });
    await renderView({ api });
    expect(
      await screen.findByText(
        "Error: Could not load the DAG runs: Airflow instance default refused the plugin's credentials",
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('AirflowAuthenticationError (HTTP 503)'),
    ).toBeInTheDocument();
    expect(screen.queryByText('DAG runs')).not.toBeInTheDocument();
  });

  it('says why when Airflow goes down while the runs view refreshes, and keeps the runs it showed', async () => {
    const down = await responseError(
      503,
      'ServiceUnavailableError',
      'Airflow instance default is not reachable',
    );
    const api = mockAirflowApi({
      listDagRuns: jest
        .fn()
        .mockResolvedValueOnce({
          items: [dagRun({ runId: 'manual__1', state: 'running' })],
          totalEntries: 1,
        })
        .mockRejectedValue(down),
    });
    await renderView({ api, pollIntervalMs: 50 });
    expect(
      await screen.findByText(
        'Error: Could not load the DAG runs: Airflow instance default is unavailable',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('ServiceUnavailableError (HTTP 503)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Airflow instance default is not reachable'),
    ).toBeInTheDocument();
    expect(rowOf('manual__1')).toBeInTheDocument();
  });

  it('clears only the failed task instances of a DAG run after confirmation', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderView({ api });
    await screen.findByText(failedRunId);

    await user.click(
      within(rowOf(failedRunId)).getByRole('button', { name: 'Clear DAG run' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Clear DAG run' });
    expect(within(dialog).getByText(failedRunId)).toBeInTheDocument();
    expect(api.clearDagRun).not.toHaveBeenCalled();

    await user.click(
      within(dialog).getByRole('radio', { name: 'Only failed task instances' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Clear' }));

    await waitFor(() =>
      expect(api.clearDagRun).toHaveBeenCalledWith({
        entityRef: airflowEntityRef,
        instance: 'default',
        dagId: 'orders_etl',
        runId: failedRunId,
        onlyFailed: true,
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    // The DAG runs are reloaded after clearing.
    await waitFor(() => expect(api.listDagRuns).toHaveBeenCalledTimes(2));
  });

  it('keeps the clear dialog open and shows the backend message when clearing fails', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi({
      clearDagRun: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            409,
            'ConflictError',
            'DAG run is already queued',
          ),
        ),
    });
    await renderView({ api });
    await screen.findByText(failedRunId);
    await user.click(
      within(rowOf(failedRunId)).getByRole('button', { name: 'Clear DAG run' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Clear DAG run' });
    await user.click(within(dialog).getByRole('button', { name: 'Clear' }));
    expect(
      await within(dialog).findByText('DAG run is already queued'),
    ).toBeInTheDocument();
    expect(api.clearDagRun).toHaveBeenCalledWith(
      expect.objectContaining({ onlyFailed: false }),
    );
  });

  it('disables trigger, pause and clear with a tooltip saying why when permissions are denied', async () => {
    const user = userEvent.setup();
    await renderView({ api: mockAirflowApi(), permissions: denied });
    await screen.findByText(failedRunId);

    const trigger = screen.getByRole('button', { name: 'Trigger DAG run' });
    expect(trigger).toBeDisabled();
    await user.hover(trigger.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only owners of this entity (group:default/team-data) may trigger DAG runs (airflow.dag.trigger)',
    );
    await user.unhover(trigger.parentElement!);

    expect(screen.getByRole('switch', { name: 'DAG active' })).toBeDisabled();

    const clear = within(rowOf(failedRunId)).getByRole('button', {
      name: 'Clear DAG run',
    });
    expect(clear).toBeDisabled();
    await user.hover(clear.parentElement!);
    await waitFor(() =>
      expect(
        screen
          .getAllByRole('tooltip')
          .some(
            t =>
              t.textContent ===
              'Only owners of this entity (group:default/team-data) may clear DAG runs and task instances (airflow.dag.clear)',
          ),
      ).toBe(true),
    );
  });

  it('reloads the DAG runs after a DAG run is triggered', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderView({ api });
    await screen.findByText(failedRunId);
    expect(api.listDagRuns).toHaveBeenCalledTimes(1);

    await user.click(screen.getByRole('button', { name: 'Trigger DAG run' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Trigger DAG run',
    });
    // Enabled once the form has loaded and validated the DAG's defaults.
    await waitFor(() =>
      expect(
        within(dialog).getByRole('button', { name: 'Trigger' }),
      ).toBeEnabled(),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Trigger' }));
    await within(dialog).findByText('manual__2025-03-30T08:00:00+00:00');
    await waitFor(() => expect(api.listDagRuns).toHaveBeenCalledTimes(2));
  });

  it('calls onBack from "Back to DAGs"', async () => {
    const user = userEvent.setup();
    const onBack = jest.fn();
    await renderView({ api: mockAirflowApi(), onBack });
    await user.click(
      await screen.findByRole('button', { name: 'Back to DAGs' }),
    );
    expect(onBack).toHaveBeenCalled();
  });

  it('shows that a DAG has no DAG runs yet', async () => {
    await renderView({
      api: mockAirflowApi({
        listDagRuns: jest
          .fn()
          .mockResolvedValue({ items: [], totalEntries: 0 }),
      }),
    });
    expect(
      await screen.findByText('This DAG has no DAG runs yet'),
    ).toBeInTheDocument();
  });
});
