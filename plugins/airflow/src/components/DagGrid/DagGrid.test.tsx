import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { airflowApiRef } from '../../api';
import { mockAirflowApi } from '../../__fixtures__/airflowApi';
import { dagRun, taskInstances } from '../../__fixtures__/dags';
import { airflowEntityRef } from '../../__fixtures__/entity';
import { allPermissions } from '../../__fixtures__/permissions';
import { ordersEtlGrid } from '../../__fixtures__/taskLogs';
import { DagGrid } from './DagGrid';

jest.mock('react-virtualized-auto-sizer', () => ({
  __esModule: true,
  default: ({ children }: any) => children({ height: 400, width: 900 }),
}));

describe('DagGrid', () => {
  it('shows runs × tasks with one cell per task instance, coloured by state, oldest run first; a cell opens the task instance', async () => {
    const api = mockAirflowApi();
    await renderInTestApp(
      <DagGrid
        entityRef={airflowEntityRef}
        instance="default"
        dagId="orders_etl"
        permissions={allPermissions}
        pollIntervalMs={60_000}
      />,
      { apis: [[airflowApiRef, api]] },
    );
    const grid = await screen.findByRole('grid', {
      name: 'Latest DAG runs × tasks of orders_etl',
    });
    expect(api.getDagGrid).toHaveBeenCalledWith({
      entityRef: airflowEntityRef,
      instance: 'default',
      dagId: 'orders_etl',
      limit: 10,
    });
    const rows = within(grid).getAllByRole('row');
    // A header row and one row per task.
    expect(rows).toHaveLength(3);
    expect(within(rows[1]).getByText('extract')).toBeInTheDocument();
    const loadCells = within(rows[2]).getAllByRole('button');
    expect(loadCells.map(c => c.getAttribute('data-state'))).toEqual([
      'success',
      'failed',
    ]);
    const runHeaders = within(rows[0]).getAllByLabelText(/^DAG run /);
    expect(runHeaders.map(c => c.getAttribute('data-state'))).toEqual([
      'success',
      'failed',
    ]);

    await userEvent.click(loadCells[1]);
    const dialog = await screen.findByRole('dialog', { name: /Task load/ });
    expect(within(dialog).getByText('PostgresOperator')).toBeInTheDocument();
    await waitFor(() =>
      expect(api.getTaskLog).toHaveBeenCalledWith(
        expect.objectContaining({
          runId: 'scheduled__2025-03-28T06:00:00+00:00',
          taskId: 'load',
          tryNumber: 3,
        }),
      ),
    );
  });

  it('shows each map index of a mapped task as its own cell, and reloads while a run is active', async () => {
    const mapped = [0, 1, 2].map(mapIndex => ({
      ...taskInstances[0],
      taskId: 'transform',
      mapIndex,
      state: mapIndex === 2 ? ('running' as const) : ('success' as const),
    }));
    const api = mockAirflowApi({
      getDagGrid: jest
        .fn()
        .mockResolvedValueOnce({
          taskIds: ['transform'],
          runs: [{ run: dagRun({ state: 'running' }), taskInstances: mapped }],
        })
        .mockResolvedValue({
          ...ordersEtlGrid,
          runs: [ordersEtlGrid.runs[1]],
        }),
    });
    await renderInTestApp(
      <DagGrid
        entityRef={airflowEntityRef}
        instance="default"
        dagId="orders_etl"
        permissions={allPermissions}
        pollIntervalMs={20}
      />,
      { apis: [[airflowApiRef, api]] },
    );
    expect(
      await screen.findByRole('button', {
        name: 'transform [2] in scheduled__2025-03-29T06:00:00+00:00: running',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getAllByRole('button', { name: /^transform \[\d\]/ }),
    ).toHaveLength(3);
    // The active run makes it reload; the settled answer stops the polling.
    expect(await screen.findByText('extract')).toBeInTheDocument();
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(api.getDagGrid).toHaveBeenCalledTimes(2);
  });
});
