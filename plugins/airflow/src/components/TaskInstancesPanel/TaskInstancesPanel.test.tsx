import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { airflowApiRef, type AirflowApi } from '../../api';
import type { AirflowPermissions } from '../../hooks';
import { mockAirflowApi, responseError } from '../../__fixtures__/airflowApi';
import { dagRun, taskInstances } from '../../__fixtures__/dags';
import { airflowEntityRef } from '../../__fixtures__/entity';
import {
  allPermissions,
  permissionsDenying,
} from '../../__fixtures__/permissions';
import { failedLoadLog, loadError, logLine } from '../../__fixtures__/taskLogs';
import { TaskInstancesPanel } from './TaskInstancesPanel';

// The LogViewer sizes itself to its container, which jsdom lays out as 0 × 0.
jest.mock('react-virtualized-auto-sizer', () => ({
  __esModule: true,
  default: ({ children }: any) => children({ height: 400, width: 900 }),
}));

const RUN_ID = 'scheduled__2025-03-28T06:00:00+00:00';

async function renderPanel(options: {
  api: jest.Mocked<AirflowApi>;
  permissions?: AirflowPermissions;
  state?: 'failed' | 'running' | 'success';
}) {
  const run = dagRun({ runId: RUN_ID, state: options.state ?? 'failed' });
  options.api.getDagRun.mockResolvedValue({
    run,
    taskInstances,
  });
  return renderInTestApp(
    <TaskInstancesPanel
      entityRef={airflowEntityRef}
      run={run}
      permissions={options.permissions ?? allPermissions}
      pollIntervalMs={60_000}
    />,
    { apis: [[airflowApiRef, options.api]] },
  );
}

const RUN_REF = {
  entityRef: airflowEntityRef,
  instance: 'default',
  dagId: 'orders_etl',
  runId: RUN_ID,
};

describe('TaskInstancesPanel', () => {
  it('shows why a failed run failed right away: the failed task, its exception, the upstream-failed tasks and the log tail', async () => {
    const api = mockAirflowApi();
    await renderPanel({ api });

    const summary = await screen.findByRole('region', {
      name: `Why DAG run ${RUN_ID} failed`,
    });
    expect(summary).toHaveTextContent('Task load failed at');
    expect(summary).toHaveTextContent('(try 3)');
    expect(within(summary).getAllByRole('alert')[0]).toHaveTextContent(
      `${loadError.type}: ${loadError.message}`,
    );
    expect(
      within(summary).getByRole('button', { name: 'failed: load' }),
    ).toBeInTheDocument();
    expect(
      within(summary).getByRole('button', { name: 'upstream failed: report' }),
    ).toBeInTheDocument();
    expect(
      await within(summary).findByText(/Loading 120 rows into the warehouse/),
    ).toBeInTheDocument();
    expect(api.getDagRunFailure).toHaveBeenCalledTimes(1);
    expect(api.getDagRunFailure).toHaveBeenCalledWith(RUN_REF);

    // The task instances with their operators as Airflow's UI names them.
    const table = screen.getByRole('table', {
      name: `Task instances of DAG run ${RUN_ID}`,
    });
    expect(within(table).getByText('PostgresOperator')).toBeInTheDocument();
    expect(within(table).getByText('3 / 3')).toBeInTheDocument();
  });

  it('does not read a failure summary for a run that did not fail', async () => {
    const api = mockAirflowApi();
    await renderPanel({ api, state: 'success' });
    await screen.findByText('PostgresOperator');
    expect(api.getDagRunFailure).not.toHaveBeenCalled();
  });

  it('opens a task instance with its tries and the log of the latest try; another try reads that try', async () => {
    const api = mockAirflowApi();
    await renderPanel({ api, state: 'success' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Log and tries of load' }),
    );
    const dialog = await screen.findByRole('dialog', { name: /Task load/ });
    expect(
      await within(dialog).findByRole('button', { name: 'Try 3: failed' }),
    ).toHaveAttribute('aria-pressed', 'true');
    expect(
      within(dialog).getByRole('button', { name: 'Try 1: up for retry' }),
    ).toBeInTheDocument();
    expect(
      await within(dialog).findByText(/Loading 120 rows into the warehouse/),
    ).toBeInTheDocument();
    expect(api.getTaskLog).toHaveBeenLastCalledWith(
      expect.objectContaining({ taskId: 'load', mapIndex: -1, tryNumber: 3 }),
    );
    expect(
      within(dialog).getByLabelText('Exceptions in the log'),
    ).toHaveTextContent(`${loadError.type}: ${loadError.message}`);

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Try 1: up for retry' }),
    );
    await waitFor(() =>
      expect(api.getTaskLog).toHaveBeenLastCalledWith(
        expect.objectContaining({ tryNumber: 1 }),
      ),
    );

    // Tail mode asks for the last lines instead of a page.
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Last lines' }),
    );
    await waitFor(() =>
      expect(api.getTaskLog).toHaveBeenLastCalledWith(
        expect.objectContaining({ tryNumber: 1, tail: 1000 }),
      ),
    );
  });

  it('pages a long log with the continuation token and offset Airflow issued', async () => {
    const api = mockAirflowApi({
      getTaskLog: jest
        .fn()
        .mockResolvedValueOnce({
          ...failedLoadLog,
          lines: [logLine(0, 'first page line')],
          errors: [],
          nextToken: 'tok-1',
          nextOffset: 1,
          hasMore: true,
          endOfLog: false,
        })
        .mockResolvedValueOnce({
          ...failedLoadLog,
          lines: [logLine(1, 'second page line')],
          errors: [],
          nextToken: 'tok-1',
          nextOffset: 2,
          hasMore: false,
          endOfLog: true,
        }),
    });
    await renderPanel({ api, state: 'success' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Log and tries of load' }),
    );
    const dialog = await screen.findByRole('dialog', { name: /Task load/ });
    expect(
      await within(dialog).findByText(/first page line/),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Load more lines' }),
    );
    expect(
      await within(dialog).findByText(/second page line/),
    ).toBeInTheDocument();
    expect(within(dialog).getByText(/first page line/)).toBeInTheDocument();
    expect(api.getTaskLog).toHaveBeenCalledTimes(2);
    expect(api.getTaskLog).toHaveBeenLastCalledWith(
      expect.objectContaining({ token: 'tok-1', offset: 1, tryNumber: 3 }),
    );
    expect(
      within(dialog).queryByRole('button', { name: 'Load more lines' }),
    ).not.toBeInTheDocument();
  });

  it('follows the log of a running try until Airflow reports its end', async () => {
    const running = {
      ...taskInstances[1],
      state: 'running' as const,
      endDate: null,
    };
    const api = mockAirflowApi({
      getTaskLog: jest
        .fn()
        .mockResolvedValueOnce({
          ...failedLoadLog,
          lines: [logLine(0, 'still working')],
          errors: [],
          nextToken: 'tok-run',
          nextOffset: 1,
          hasMore: false,
          endOfLog: false,
        })
        .mockResolvedValueOnce({
          ...failedLoadLog,
          lines: [logLine(1, 'done working')],
          errors: [],
          nextToken: null,
          nextOffset: 2,
          hasMore: false,
          endOfLog: true,
        }),
    });
    const run = dagRun({ runId: RUN_ID, state: 'running' });
    api.getDagRun.mockResolvedValue({
      run,
      taskInstances: [taskInstances[0], running],
    });
    const { TaskInstanceDetails } = await import('../TaskInstanceActions');
    await renderInTestApp(
      <TaskInstanceDetails
        {...RUN_REF}
        taskInstance={running}
        permissions={allPermissions}
        onClose={jest.fn()}
        followIntervalMs={10}
      />,
      { apis: [[airflowApiRef, api]] },
    );
    expect(await screen.findByText(/done working/)).toBeInTheDocument();
    expect(screen.getByText(/still working/)).toBeInTheDocument();
    expect(api.getTaskLog.mock.calls[0][0]).toMatchObject({
      token: undefined,
      offset: undefined,
    });
    expect(api.getTaskLog).toHaveBeenLastCalledWith(
      expect.objectContaining({ token: 'tok-run', offset: 1 }),
    );
    // Ended: no further reads.
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(api.getTaskLog).toHaveBeenCalledTimes(2);
    expect(
      screen.queryByText('Following the log while the try runs'),
    ).not.toBeInTheDocument();
  });

  it('without the logs permission shows the states and the reason, and never asks for a log', async () => {
    const api = mockAirflowApi();
    await renderPanel({
      api,
      state: 'success',
      permissions: permissionsDenying('logs'),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Log and tries of load' }),
    );
    const dialog = await screen.findByRole('dialog', { name: /Task load/ });
    expect(await within(dialog).findByRole('note')).toHaveTextContent(
      'Only owners of this entity (group:default/team-data) may read task logs (airflow.dag.logs.read)',
    );
    expect(within(dialog).getByText('failed')).toBeInTheDocument();
    expect(api.getTaskLog).not.toHaveBeenCalled();
  });

  it('without the state permission the mark buttons are disabled with the reason', async () => {
    const api = mockAirflowApi();
    await renderPanel({ api, permissions: permissionsDenying('stateUpdate') });
    const markRun = await screen.findByRole('button', {
      name: 'Mark run success',
    });
    expect(markRun).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Mark load success' }),
    ).toBeDisabled();
    await userEvent.hover(markRun.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only owners of this entity (group:default/team-data) may mark DAG runs and task instances success or failed (airflow.dag.state.update)',
    );
    expect(api.setDagRunState).not.toHaveBeenCalled();
  });

  it('stops a running run by marking it failed', async () => {
    const api = mockAirflowApi();
    await renderPanel({ api, state: 'running' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Stop run: mark failed' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Mark failed' });
    expect(dialog).toHaveTextContent('marking it stops it');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Mark failed' }),
    );
    await waitFor(() =>
      expect(api.setDagRunState).toHaveBeenCalledWith({
        ...RUN_REF,
        state: 'failed',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    // The panel reads the run again after the change.
    expect(api.getDagRun.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('marks a task instance success with its downstream tasks, and shows a refused change with its reason', async () => {
    const api = mockAirflowApi({
      setTaskInstanceState: jest
        .fn()
        .mockRejectedValueOnce(
          await responseError(
            400,
            'InputError',
            "Airflow 2's API marks a mapped task instance without its upstream or downstream tasks",
          ),
        )
        .mockResolvedValueOnce({ dryRun: false, taskInstances: [] }),
    });
    await renderPanel({ api, state: 'success' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Mark load success' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Mark success' });
    await userEvent.click(
      within(dialog).getByLabelText('Downstream tasks too'),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Mark success' }),
    );
    expect(
      await within(dialog).findByText(/marks a mapped task instance without/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('dialog', { name: 'Mark success' }),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Mark success' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.setTaskInstanceState).toHaveBeenCalledTimes(2);
    expect(api.setTaskInstanceState).toHaveBeenLastCalledWith({
      ...RUN_REF,
      taskId: 'load',
      mapIndex: -1,
      state: 'success',
      includeDownstream: true,
    });
  });

  it('clears one task instance after a dry-run preview that follows the chosen options', async () => {
    const api = mockAirflowApi({
      clearTaskInstance: jest.fn().mockImplementation(async o => ({
        dryRun: o.dryRun,
        taskInstances: [
          { taskId: 'load', mapIndex: -1, state: 'failed' },
          ...(o.includeDownstream
            ? [{ taskId: 'report', mapIndex: -1, state: 'upstream_failed' }]
            : []),
        ],
      })),
    });
    await renderPanel({ api, state: 'success' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Clear load' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Clear task instance',
    });
    const preview = await within(dialog).findByRole('list', {
      name: 'Task instances that would be cleared',
    });
    expect(within(preview).getAllByRole('listitem')).toHaveLength(2);
    expect(api.clearTaskInstance).toHaveBeenLastCalledWith(
      expect.objectContaining({
        dryRun: true,
        includeDownstream: true,
        includeUpstream: false,
        onlyFailed: false,
      }),
    );

    await userEvent.click(
      within(dialog).getByLabelText('Downstream tasks too'),
    );
    await waitFor(() =>
      expect(
        within(
          within(dialog).getByRole('list', {
            name: 'Task instances that would be cleared',
          }),
        ).getAllByRole('listitem'),
      ).toHaveLength(1),
    );
    await userEvent.click(
      within(dialog).getByLabelText('Only failed task instances'),
    );
    await waitFor(() =>
      expect(api.clearTaskInstance).toHaveBeenLastCalledWith(
        expect.objectContaining({
          dryRun: true,
          includeDownstream: false,
          onlyFailed: true,
        }),
      ),
    );
    const dryRuns = api.clearTaskInstance.mock.calls.filter(
      ([o]) => o.dryRun,
    ).length;

    await userEvent.click(
      await within(dialog).findByRole('button', {
        name: 'Clear 1 task instance',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.clearTaskInstance).toHaveBeenLastCalledWith({
      ...RUN_REF,
      taskId: 'load',
      mapIndex: -1,
      dryRun: false,
      onlyFailed: true,
      includeDownstream: false,
      includeUpstream: false,
    });
    expect(dryRuns).toBe(3);
  });

  it('shows a refused preview and offers no clear', async () => {
    const api = mockAirflowApi({
      clearTaskInstance: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            403,
            'NotAllowedError',
            'You are not allowed to clear DAGs of component:default/orders-pipeline (permission airflow.dag.clear)',
          ),
        ),
    });
    await renderPanel({ api, state: 'success' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Clear load' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Clear task instance',
    });
    expect(
      await within(dialog).findByText(/permission airflow\.dag\.clear/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: /^Clear \d+ task instance/ }),
    ).toBeDisabled();
    expect(api.clearTaskInstance).toHaveBeenCalledTimes(1);
  });
});
