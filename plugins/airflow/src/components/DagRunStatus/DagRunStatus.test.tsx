import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { DagRunStatus } from './DagRunStatus';

describe('DagRunStatus', () => {
  it('shows the state name with a status of the matching kind', async () => {
    await renderInTestApp(
      <>
        <DagRunStatus state="success" />
        <DagRunStatus state="failed" />
        <DagRunStatus state="running" />
        <DagRunStatus state="queued" />
        <DagRunStatus state="up_for_retry" />
        <DagRunStatus state="skipped" />
      </>,
    );
    expect(screen.getByLabelText('Status ok')).toHaveTextContent('success');
    expect(screen.getByLabelText('Status error')).toHaveTextContent('failed');
    expect(screen.getByLabelText('Status running')).toHaveTextContent(
      'running',
    );
    expect(
      screen.getAllByLabelText('Status pending').map(e => e.textContent),
    ).toEqual(['queued', 'up for retry']);
    expect(screen.getByLabelText('Status aborted')).toHaveTextContent(
      'skipped',
    );
  });
});
