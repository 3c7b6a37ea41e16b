import type { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { airflowApiRef, type AirflowApi } from '../../api';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import {
  entityDags,
  entityDagsWithProblems,
  ordersEtlDetails,
} from '../../__fixtures__/dags';
import { loadError } from '../../__fixtures__/taskLogs';
import {
  airflowEntity,
  airflowEntityRef,
  plainEntity,
} from '../../__fixtures__/entity';
import { EntityAirflowContent } from './EntityAirflowContent';

// The LogViewer sizes itself to its container, which jsdom lays out as 0 × 0.
jest.mock('react-virtualized-auto-sizer', () => ({
  __esModule: true,
  default: ({ children }: any) => children({ height: 400, width: 900 }),
}));

async function renderContent(options: {
  api?: AirflowApi;
  entity?: Entity;
  authorize?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  initialRoute?: string;
}) {
  return renderInTestApp(
    <EntityProvider entity={options.entity ?? airflowEntity}>
      <EntityAirflowContent pollIntervalMs={60_000} />
    </EntityProvider>,
    {
      apis: [
        [airflowApiRef, options.api ?? mockAirflowApi()],
        mockApis.permission({
          authorize: options.authorize ?? AuthorizeResult.ALLOW,
        }),
      ],
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

// The trigger dialog loads its form library and editor on demand: the first
// load in a test file compiles them, which takes seconds on a busy machine.
jest.setTimeout(120_000);
configure({ asyncUtilTimeout: 30_000 });

describe('EntityAirflowContent', () => {
  it('shows the missing-annotation empty state for an entity without Airflow annotations', async () => {
    const api = mockAirflowApi();
    await renderContent({ api, entity: plainEntity });
    expect(await screen.findByText('Missing Annotation')).toBeInTheDocument();
    expect(
      screen.getAllByText(/airflow\.apache\.org\/dag-ids/).length,
    ).toBeGreaterThan(0);
    expect(api.listEntityDags).not.toHaveBeenCalled();
  });

  it('renders the DAGs table with names, schedule, paused state and run strip states', async () => {
    const api = mockAirflowApi();
    await renderContent({ api });

    expect(await screen.findByText('DAGs')).toBeInTheDocument();
    expect(api.listEntityDags).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
    });

    const orders = rowOf('Orders ETL');
    // The display name opens the DAG's runs in the tab; a separate link opens Airflow.
    expect(
      within(orders).getByRole('link', { name: 'Orders ETL' }),
    ).toHaveAttribute('href', '/?instance=default&dag=orders_etl');
    expect(
      within(orders).getByRole('link', { name: /^Open DAG in Airflow/ }),
    ).toHaveAttribute('href', 'https://airflow.example.com/dags/orders_etl');
    expect(
      within(orders).getByText('Loads orders into the warehouse'),
    ).toBeInTheDocument();
    expect(within(orders).getByText('data-eng')).toBeInTheDocument();
    expect(within(orders).getByText('etl')).toBeInTheDocument();
    expect(within(orders).getByText('orders')).toBeInTheDocument();
    expect(within(orders).getByText('At 06:00')).toBeInTheDocument();
    expect(
      within(orders).getByText(/^Next run in \d+ years?$/),
    ).toBeInTheDocument();
    expect(
      within(orders).getByRole('switch', { name: 'DAG active' }),
    ).toBeChecked();
    expect(within(orders).getByText('Active')).toBeInTheDocument();

    // The strip shows the latest runs oldest first, one square per run.
    const strip = within(orders).getByRole('list', { name: 'Latest DAG runs' });
    const squares = within(strip).getAllByRole('listitem');
    expect(squares.map(s => s.getAttribute('data-state'))).toEqual([
      'success',
      'success',
      'failed',
    ]);
    expect(squares[2]).toHaveAccessibleName(
      'DAG run manual__2025-03-29T19:48:49.273773+00:00: failed',
    );
    // Last run state.
    expect(within(orders).getAllByText('failed').length).toBeGreaterThan(0);

    const featureStore = rowOf('ml.feature-store-refresh');
    expect(within(featureStore).getByText('Manual only')).toBeInTheDocument();
    expect(
      within(featureStore).getByRole('switch', { name: 'DAG active' }),
    ).not.toBeChecked();
    expect(within(featureStore).getByText('Paused')).toBeInTheDocument();
    expect(
      within(featureStore).getByRole('img', { name: 'Import error' }),
    ).toBeInTheDocument();
    expect(
      within(featureStore).getByText('ml-platform, airflow'),
    ).toBeInTheDocument();
    expect(
      within(
        within(featureStore).getByRole('list', { name: 'Latest DAG runs' }),
      ).getByRole('listitem'),
    ).toHaveAttribute('data-state', 'running');
  });

  it('heads the column of Airflow\'s owner field "Airflow owner", with a tooltip saying it is not the catalog owner', async () => {
    const user = userEvent.setup();
    await renderContent({});
    await screen.findByText('Orders ETL');
    expect(
      screen.queryByRole('columnheader', { name: 'Owners' }),
    ).not.toBeInTheDocument();
    const header = screen.getByRole('columnheader', { name: 'Airflow owner' });
    await user.hover(within(header).getByText('Airflow owner'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      "The DAG's owner field in Airflow (its default_args owner), free text; not the catalog owner of this entity",
    );
  });

  it('shows DAG names and ids on one line, whole in a tooltip', async () => {
    const user = userEvent.setup();
    await renderContent({});
    await screen.findByText('Orders ETL');
    const idLine = within(rowOf('Orders ETL')).getByText(
      'orders_etl · default',
    );
    expect(idLine).toHaveStyle({
      whiteSpace: 'nowrap',
      textOverflow: 'ellipsis',
    });
    await user.hover(idLine);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'orders_etl · default',
    );
  });

  it('keeps the last run state on one line (no "succe|ss" in a narrow column)', async () => {
    await renderContent({});
    await screen.findByText('Orders ETL');
    // The last run's time, under its state: both in the one-line box.
    const when = within(rowOf('Orders ETL')).getByText(/ ago$/);
    expect(when.parentElement).toHaveStyle({ whiteSpace: 'nowrap' });
  });

  it('shows a tooltip with run id, logical date and duration on a run square', async () => {
    const user = userEvent.setup();
    await renderContent({});
    await screen.findByText('Orders ETL');
    const strip = within(rowOf('Orders ETL')).getByRole('list', {
      name: 'Latest DAG runs',
    });
    await user.hover(within(strip).getAllByRole('listitem')[2]);
    const tooltip = await screen.findByRole('tooltip');
    expect(tooltip).toHaveTextContent(
      'manual__2025-03-29T19:48:49.273773+00:00',
    );
    expect(tooltip).toHaveTextContent('Logical date: ');
    expect(tooltip).toHaveTextContent('Duration: 2m');
  });

  it('lists annotated DAGs Airflow does not have in a warning panel', async () => {
    await renderContent({
      api: mockAirflowApi({
        listEntityDags: jest.fn().mockResolvedValue(entityDagsWithProblems),
      }),
    });
    expect(
      await screen.findByText(
        'Warning: 1 annotated DAG was not found in Airflow',
      ),
    ).toBeInTheDocument();
    const missing = screen.getByRole('list', { name: 'Missing DAGs' });
    expect(missing).toHaveTextContent('orders_cleanup on instance default');
  });

  it('shows an error panel per failed instance with its name and message', async () => {
    await renderContent({
      api: mockAirflowApi({
        listEntityDags: jest.fn().mockResolvedValue({
          ...entityDagsWithProblems,
          errors: [
            ...entityDagsWithProblems.errors,
            {
              instance: 'staging',
              status: 404,
              name: 'NotFoundError',
              message:
                "Unknown Airflow instance 'staging'; configured instances: default, prod",
            },
          ],
        }),
      }),
    });
    expect(
      await screen.findByText('Error: Airflow instance prod is unavailable'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Airflow instance prod is not reachable: connect ECONNREFUSED',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Error: Airflow instance staging is unknown'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        "Unknown Airflow instance 'staging'; configured instances: default, prod",
      ),
    ).toBeInTheDocument();
    // The DAGs of the healthy instance are still listed.
    expect(screen.getByText('Orders ETL')).toBeInTheDocument();
  });

  it('marks the runs of an instance whose latest runs failed as unavailable, with its DAGs still listed', async () => {
    await renderContent({
      api: mockAirflowApi({
        listEntityDags: jest.fn().mockResolvedValue({
          ...entityDags,
          dags: entityDags.dags.map(d => ({ ...d, recentRuns: [] })),
          errors: [
            {
              instance: entityDags.dags[0].instance,
              status: 503,
              name: 'ServiceUnavailableError',
              message: 'runs batch failed with status 500',
              scope: 'runs',
            },
          ],
        }),
      }),
    });
    expect(
      await screen.findByText(
        `Error: The latest runs of Airflow instance ${entityDags.dags[0].instance} are unavailable`,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/shown without their latest runs/),
    ).toBeInTheDocument();
    const row = rowOf(entityDags.dags[0].displayName);
    expect(within(row).getAllByText('unavailable')).toHaveLength(2);
  });

  it('shows an empty state when the annotations match no DAG', async () => {
    await renderContent({
      api: mockAirflowApi({
        listEntityDags: jest
          .fn()
          .mockResolvedValue({ ...entityDags, dags: [] }),
      }),
    });
    expect(await screen.findByText('No DAGs')).toBeInTheDocument();
  });

  it('shows the backend error when the DAG list cannot be loaded', async () => {
    await renderContent({
      api: mockAirflowApi({
        listEntityDags: jest
          .fn()
          .mockRejectedValue(
            await responseError(
              403,
              'NotAllowedError',
              'Access to airflow.dag.read denied',
            ),
          ),
      }),
    });
    expect(
      await screen.findByText(/Could not load the DAGs/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/Access to airflow\.dag\.read denied/).length,
    ).toBeGreaterThan(0);
  });

  it('keeps the DAGs it showed when reloading them fails, and says so', async () => {
    const user = userEvent.setup();
    const down = await responseError(
      503,
      'ServiceUnavailableError',
      'Airflow instance default is not reachable',
    );
    const api = mockAirflowApi({
      listEntityDags: jest
        .fn()
        .mockResolvedValueOnce(entityDags)
        .mockRejectedValue(down),
    });
    await renderContent({ api });
    await screen.findByText('Orders ETL');
    // Going back from the runs view reloads the DAGs.
    await user.click(
      within(rowOf('Orders ETL')).getByRole('button', {
        name: 'Show DAG runs',
      }),
    );
    await user.click(
      await screen.findByRole('button', { name: 'Back to DAGs' }),
    );
    expect(
      await screen.findByText(/Could not refresh the DAGs/),
    ).toBeInTheDocument();
    expect(api.listEntityDags).toHaveBeenCalledTimes(2);
    expect(screen.getByText('Orders ETL')).toBeInTheDocument();
  });

  it('shows the DAG runs of a DAG when "Show DAG runs" is selected, and goes back', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderContent({ api });
    await screen.findByText('Orders ETL');

    await user.click(
      within(rowOf('Orders ETL')).getByRole('button', {
        name: 'Show DAG runs',
      }),
    );

    expect(await screen.findByText('DAG runs')).toBeInTheDocument();
    expect(
      await screen.findByText('manual__2025-03-29T19:48:49.273773+00:00'),
    ).toBeInTheDocument();
    expect(api.listDagRuns).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: airflowEntityRef,
        instance: 'default',
        dagId: 'orders_etl',
        offset: 0,
      }),
    );

    await user.click(screen.getByRole('button', { name: 'Back to DAGs' }));
    expect(await screen.findByText('DAGs')).toBeInTheDocument();
    expect(screen.queryByText('DAG runs')).not.toBeInTheDocument();
  });

  it('opens the DAG runs in the tab from the DAG name', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderContent({ api });
    await screen.findByText('Orders ETL');
    await user.click(
      within(rowOf('Orders ETL')).getByRole('link', { name: 'Orders ETL' }),
    );
    expect(await screen.findByText('DAG runs')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Orders ETL' }),
    ).toBeInTheDocument();
    expect(api.listDagRuns).toHaveBeenCalledWith(
      expect.objectContaining({ instance: 'default', dagId: 'orders_etl' }),
    );
  });

  it("a square of the run strip opens the runs view with that run's task instances shown", async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderContent({ api });
    await screen.findByText('Orders ETL');
    const failedRunId = 'manual__2025-03-29T19:48:49.273773+00:00';
    const square = within(rowOf('Orders ETL')).getByRole('link', {
      name: `Show DAG run ${failedRunId}: failed`,
    });
    expect(square).toHaveAttribute(
      'href',
      `/?instance=default&dag=orders_etl&run=${encodeURIComponent(
        failedRunId,
      )}`,
    );
    await user.click(square);
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

  it('opens the DAG runs of the DAG named in the query parameters', async () => {
    const api = mockAirflowApi();
    await renderContent({
      api,
      initialRoute: '/?instance=default&dag=orders_etl',
    });
    expect(await screen.findByText('DAG runs')).toBeInTheDocument();
    expect(api.getDagDetails).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
    });
  });

  it('pauses a DAG by switching it off, as in Airflow, and unpauses it by switching it on', async () => {
    const user = userEvent.setup();
    // Airflow keeps the paused state: the reload after a change reads it back.
    let ordersPaused = false;
    const api = mockAirflowApi({
      listEntityDags: jest.fn().mockImplementation(async () => ({
        ...entityDags,
        dags: entityDags.dags.map(d =>
          d.dagId === 'orders_etl' ? { ...d, isPaused: ordersPaused } : d,
        ),
      })),
      setDagPaused: jest.fn().mockImplementation(async ({ isPaused }) => {
        ordersPaused = isPaused;
        return { ...ordersEtlDetails, isPaused };
      }),
    });
    await renderContent({ api });
    await screen.findByText('Orders ETL');
    // The table renders new rows after each reload: look the row up again.
    const row = () => within(rowOf('Orders ETL'));
    const toggle = () => row().getByRole('switch', { name: 'DAG active' });
    expect(toggle()).toBeChecked();
    await user.hover(toggle());
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Active: Airflow schedules runs of this DAG. Switch off to pause it.',
    );
    await user.click(toggle());
    expect(api.setDagPaused).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
      isPaused: true,
    });
    await waitFor(() => expect(api.listEntityDags).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(toggle()).not.toBeChecked());
    expect(row().getByText('Paused')).toBeInTheDocument();

    await user.click(toggle());
    expect(api.setDagPaused).toHaveBeenLastCalledWith(
      expect.objectContaining({ dagId: 'orders_etl', isPaused: false }),
    );
    await waitFor(() => expect(api.listEntityDags).toHaveBeenCalledTimes(3));
    await waitFor(() => expect(toggle()).toBeChecked());
    expect(row().getByText('Active')).toBeInTheDocument();
  });

  it('reports a refused pause through the error API and restores the switch', async () => {
    const user = userEvent.setup();
    const errorApi = mockApis.error({ collect: true });
    const api = mockAirflowApi({
      setDagPaused: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            403,
            'NotAllowedError',
            'Access to airflow.dag.pause denied',
          ),
        ),
    });
    await renderInTestApp(
      <EntityProvider entity={airflowEntity}>
        <EntityAirflowContent />
      </EntityProvider>,
      {
        apis: [[airflowApiRef, api], mockApis.permission(), errorApi],
      },
    );
    await screen.findByText('Orders ETL');
    const toggle = within(rowOf('Orders ETL')).getByRole('switch', {
      name: 'DAG active',
    });
    await user.click(toggle);
    await waitFor(() =>
      expect(errorApi.getErrors().map(e => e.error.message)).toEqual([
        'Could not pause DAG orders_etl: Access to airflow.dag.pause denied',
      ]),
    );
    await waitFor(() => expect(toggle).toBeChecked());
  });

  it('disables trigger and pause with a tooltip saying why when permissions are denied', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    // usePermission caches decisions per resource ref: use an entity of its own.
    const restricted: Entity = {
      ...airflowEntity,
      metadata: { ...airflowEntity.metadata, name: 'restricted-pipeline' },
      // The catalog's ownedBy relations name the owners when it has them.
      relations: [
        { type: 'ownedBy', targetRef: 'group:default/analytics' },
        { type: 'ownedBy', targetRef: 'user:default/jane' },
      ],
    };
    await renderContent({
      api,
      entity: restricted,
      authorize: AuthorizeResult.DENY,
    });
    await screen.findByText('Orders ETL');
    const row = within(rowOf('Orders ETL'));

    const trigger = row.getByRole('button', { name: 'Trigger DAG run' });
    await waitFor(() => expect(trigger).toBeDisabled());
    await user.hover(trigger.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only owners of this entity (group:default/analytics, user:default/jane) may trigger DAG runs (airflow.dag.trigger)',
    );
    await user.unhover(trigger.parentElement!);

    const pause = row.getByRole('switch', { name: 'DAG active' });
    expect(pause).toBeDisabled();
    await user.hover(
      pause.closest('[data-testid="permission-tooltip-anchor"]')!,
    );
    await waitFor(() =>
      expect(
        screen
          .getAllByRole('tooltip')
          .some(
            t =>
              t.textContent ===
              'Only owners of this entity (group:default/analytics, user:default/jane) may pause or unpause DAGs (airflow.dag.pause)',
          ),
      ).toBe(true),
    );

    // Viewing DAG runs needs no extra permission.
    expect(row.getByRole('button', { name: 'Show DAG runs' })).toBeEnabled();
  });

  it('triggers a DAG run from the DAG table and reloads the DAGs', async () => {
    const user = userEvent.setup();
    const api = mockAirflowApi();
    await renderContent({ api });
    await screen.findByText('Orders ETL');
    await user.click(
      within(rowOf('Orders ETL')).getByRole('button', {
        name: 'Trigger DAG run',
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Trigger DAG run',
    });
    await waitFor(() =>
      expect(
        within(dialog).getByRole('button', { name: 'Trigger' }),
      ).toBeEnabled(),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Trigger' }));
    expect(
      await within(dialog).findByText('manual__2025-03-30T08:00:00+00:00'),
    ).toBeInTheDocument();
    expect(api.triggerDagRun).toHaveBeenCalledWith(
      expect.objectContaining({ instance: 'default', dagId: 'orders_etl' }),
    );
    await waitFor(() => expect(api.listEntityDags).toHaveBeenCalledTimes(2));
  });

  describe('why did it fail', () => {
    it('shows the failed task, its exception and the log tail one click from the DAG row', async () => {
      const api = mockAirflowApi();
      await renderContent({ api });
      await screen.findByText('DAGs');
      // Only the DAG whose last run failed offers it.
      const buttons = screen.getAllByRole('button', {
        name: 'Why did it fail?',
      });
      expect(buttons).toHaveLength(1);
      expect(rowOf('Orders ETL')).toContainElement(buttons[0]);

      await userEvent.click(buttons[0]);
      const summary = await screen.findByRole('region', {
        name: 'Why DAG run manual__2025-03-29T19:48:49.273773+00:00 failed',
      });
      expect(within(summary).getAllByRole('alert')[0]).toHaveTextContent(
        `${loadError.type}: ${loadError.message}`,
      );
      expect(summary).toHaveTextContent('Task load failed');
      expect(
        await within(summary).findByText(/Loading 120 rows into the warehouse/),
      ).toBeInTheDocument();
      expect(api.getDagRunFailure).toHaveBeenCalledWith({
        entityRef: airflowEntityRef,
        instance: 'default',
        dagId: 'orders_etl',
        runId: 'manual__2025-03-29T19:48:49.273773+00:00',
      });

      // The failed task opens with its tries and full log.
      await userEvent.click(
        within(summary).getByRole('button', { name: 'failed: load' }),
      );
      const dialog = await screen.findByRole('dialog', { name: /Task load/ });
      expect(
        await within(dialog).findByRole('button', { name: 'Try 3: failed' }),
      ).toBeInTheDocument();
      await waitFor(() => expect(api.getTaskLog).toHaveBeenCalledTimes(1));
    });

    it('without permissions the log in the task dialog is replaced by the reason naming the permission and the owner', async () => {
      const api = mockAirflowApi();
      // usePermission caches decisions per resource ref: an entity of its own
      // (a cached ALLOW of an earlier test would otherwise show the log).
      const entity: Entity = {
        ...airflowEntity,
        metadata: { ...airflowEntity.metadata, name: 'no-logs-pipeline' },
      };
      await renderContent({ api, entity, authorize: AuthorizeResult.DENY });
      await screen.findByText('DAGs');
      await userEvent.click(
        screen.getByRole('button', { name: 'Why did it fail?' }),
      );
      const summary = await screen.findByRole('region', {
        name: /Why DAG run/,
      });
      await userEvent.click(
        within(summary).getByRole('button', { name: 'failed: load' }),
      );
      const dialog = await screen.findByRole('dialog', { name: /Task load/ });
      expect(await within(dialog).findByRole('note')).toHaveTextContent(
        // spec.owner `team-data`, read as the catalog reads it.
        'Only owners of this entity (group:default/team-data) may read task logs (airflow.dag.logs.read)',
      );
      expect(
        within(dialog).getByRole('button', { name: 'Mark load success' }),
      ).toBeDisabled();
      expect(
        within(dialog).getByRole('button', { name: 'Clear load' }),
      ).toBeDisabled();
      expect(api.getTaskLog).not.toHaveBeenCalled();
    });
  });
});
