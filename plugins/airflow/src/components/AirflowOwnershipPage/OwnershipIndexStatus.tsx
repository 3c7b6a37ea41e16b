import { WarningPanel } from '@backstage/core-components';
import type {
  AirflowOwnershipIndexStatus,
  AirflowOwnershipInstanceStatus,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import RefreshIcon from '@material-ui/icons/Refresh';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import { useEffect, useState } from 'react';
import { errorMessage, errorStatus } from '../../lib/errors';
import { serverTimeMillis } from '../../lib/ownership';
import { OWNERSHIP_PERMISSION_TITLE } from '../OwnershipErrorPanel';

/** The current time, updated every `intervalMs` so that relative ages stay right. */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** "just now" or "3 minutes ago" (never in the future, despite clock jitter). */
export function relativeAge(builtAt: number, now: number): string {
  if (now - builtAt < 10_000) return 'just now';
  return (
    DateTime.fromMillis(builtAt).toRelative({
      base: DateTime.fromMillis(now),
    }) ?? ''
  );
}

function instanceErrorTitle(status: AirflowOwnershipInstanceStatus): string {
  return `Airflow instance ${status.instance} could not be read during the last build`;
}

/** What the index holds of an instance that failed: its last good DAGs with their real age, or none. */
function instanceDataText(
  status: AirflowOwnershipInstanceStatus,
  receivedAt: number,
  now: number,
): string {
  const readAt = serverTimeMillis(
    { at: status.refreshedAt, ageSeconds: status.ageSeconds },
    receivedAt,
  );
  if (readAt === undefined) {
    return 'It has never been read successfully, so the index has none of its DAGs.';
  }
  return `Its ${status.dagCount} ${
    status.dagCount === 1 ? 'DAG is' : 'DAGs are'
  } from the last successful read, ${relativeAge(
    readAt,
    now,
  )}, and may be out of date.`;
}

/** True when the latest refresh failed as a whole: no index, or one older than the attempt. */
export function wholeRefreshFailed(
  status: AirflowOwnershipIndexStatus,
): boolean {
  if (!status.lastRefreshError) return false;
  if (status.builtAt === null) return true;
  return (
    status.lastAttemptAt !== null &&
    Date.parse(status.lastAttemptAt) > Date.parse(status.builtAt)
  );
}

/** Props of {@link OwnershipIndexStatus}. */
export interface OwnershipIndexStatusProps {
  /** The state of the index being served. */
  status: AirflowOwnershipIndexStatus;
  /** `Date.now()` when `status` arrived: the server's ages count from here. */
  receivedAt: number;
  refreshing: boolean;
  refreshError?: Error;
  onRefresh: () => void;
}

/**
 * The index age with a "Refresh now" button, and warnings: a failed latest
 * refresh (with the age of the index being served), each instance that failed
 * during the last build, and a failed refresh request.
 */
export function OwnershipIndexStatus(props: OwnershipIndexStatusProps) {
  const { status, receivedAt, refreshing, refreshError, onRefresh } = props;
  const now = useNow(30_000);
  const builtAt = serverTimeMillis(
    { at: status.builtAt, ageSeconds: status.ageSeconds },
    receivedAt,
  );
  const age = builtAt === undefined ? undefined : relativeAge(builtAt, now);
  // A refresh that failed as a whole (catalog, database) left the served
  // index as it was; one that completed with failed instances is the served
  // index itself, and the instance warnings below say what it holds.
  const refreshFailed = wholeRefreshFailed(status);

  return (
    <Stack spacing={2}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
        {age === undefined ? (
          <Typography variant="body2">
            The ownership index has not been built yet.
          </Typography>
        ) : (
          <Tooltip
            title={
              builtAt === undefined
                ? ''
                : DateTime.fromMillis(builtAt).toLocaleString(
                    DateTime.DATETIME_MED_WITH_SECONDS,
                  )
            }
            describeChild
          >
            <Typography variant="body2">Index built {age}</Typography>
          </Tooltip>
        )}
        <Button
          variant="outlined"
          size="small"
          onClick={onRefresh}
          disabled={refreshing}
          startIcon={
            refreshing ? (
              <CircularProgress size={16} aria-label="Refreshing" />
            ) : (
              <RefreshIcon />
            )
          }
        >
          Refresh now
        </Button>
      </Box>
      {refreshError && (
        <WarningPanel
          severity="error"
          title={
            errorStatus(refreshError) === 403
              ? OWNERSHIP_PERMISSION_TITLE
              : 'Could not refresh the ownership index'
          }
          message={errorMessage(refreshError)}
        />
      )}
      {refreshFailed && (
        <WarningPanel
          severity="warning"
          title="The latest refresh of the ownership index failed"
          message={
            age === undefined
              ? 'No refresh has completed yet, so there is no index to show.'
              : `Showing the index of the last refresh that completed, built ${age}.`
          }
          defaultExpanded
        >
          <Typography variant="body2">{status.lastRefreshError}</Typography>
        </WarningPanel>
      )}
      {status.instances.map(instance =>
        instance.error ? (
          <WarningPanel
            key={instance.instance}
            severity="error"
            title={instanceErrorTitle(instance)}
            message={instance.error.message}
          >
            <Typography variant="body2">
              {instance.error.name} (HTTP {instance.error.status}).{' '}
              {instanceDataText(instance, receivedAt, now)}
            </Typography>
          </WarningPanel>
        ) : null,
      )}
    </Stack>
  );
}
