import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Link, Table, type TableColumn } from '@backstage/core-components';
import type {
  AirflowDag,
  AirflowDagRun,
  AirflowEntityDag,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import ListIcon from '@material-ui/icons/List';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import WarningIcon from '@material-ui/icons/Warning';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useMemo, type ReactNode } from 'react';
import type { AirflowPermissions } from '../../hooks';
import { formatDateTime, formatRelativeTime } from '../../lib/format';
import { ActionIconButton } from '../ActionIconButton';
import { DagPausedSwitch } from '../DagPausedSwitch';
import { DagRunStatus } from '../DagRunStatus';
import { DagRunStrip } from '../DagRunStrip';
import { OpenInAirflowLink } from '../OpenInAirflowLink';

/** Title of the column with Airflow's `owner` field. */
export const AIRFLOW_OWNER_COLUMN_TITLE = 'Airflow owner';
/** Tooltip of that column's header. */
export const AIRFLOW_OWNER_COLUMN_HELP =
  "The DAG's owner field in Airflow (its default_args owner), free text; not the catalog owner of this entity";

/** Props of {@link DagsTable}. */
export interface DagsTableProps {
  entityRef: CompoundEntityRef;
  dags: AirflowEntityDag[];
  permissions: AirflowPermissions;
  /** Shows the DAG runs of a DAG. */
  onShowDagRuns: (dag: AirflowEntityDag) => void;
  /** The link to the runs view of a DAG in the tab (the DAG name links there). */
  dagRunsHref: (dag: AirflowEntityDag) => string;
  /** The link to the runs view with one run shown (the squares of the run strip link there). */
  runHref?: (run: AirflowDagRun) => string;
  /** Shows why the latest run of a DAG failed. */
  onShowFailure?: (dag: AirflowEntityDag, run: AirflowDagRun) => void;
  /** Opens the trigger dialog for a DAG. */
  onTriggerDagRun: (dag: AirflowEntityDag) => void;
  /** Called after a DAG was paused or unpaused. */
  onDagChanged?: (dag: AirflowDag) => void;
  /** Shown instead of rows when there are no DAGs. */
  emptyContent?: ReactNode;
  /**
   * Instances whose latest runs could not be read (an error of scope `runs`):
   * their DAGs' empty runs read "unavailable", not "none".
   */
  runsUnavailable?: ReadonlySet<string>;
}

function RunsUnavailable() {
  return (
    <Typography variant="body2" color="error">
      unavailable
    </Typography>
  );
}

/** Width of the DAG column: names and ids longer than this are cut with an ellipsis. */
const DAG_COLUMN_WIDTH = 260;

function DagName(props: { dag: AirflowEntityDag; href: string }) {
  const { dag, href } = props;
  const idLine = `${dag.displayName !== dag.dagId ? `${dag.dagId} · ` : ''}${
    dag.instance
  }`;
  return (
    <Box sx={{ maxWidth: DAG_COLUMN_WIDTH, minWidth: 0 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.5 }}>
        <Tooltip title={dag.displayName} describeChild>
          <Typography variant="body2" noWrap sx={{ minWidth: 0 }}>
            <Link to={href}>{dag.displayName}</Link>
          </Typography>
        </Tooltip>
        <OpenInAirflowLink href={dag.webUrl} iconSize={16} />
        {dag.hasImportErrors && (
          <Tooltip
            title="The DAG's file has an import error in Airflow"
            describeChild
          >
            <WarningIcon
              titleAccess="Import error"
              fontSize="small"
              color="error"
            />
          </Tooltip>
        )}
        {!dag.isActive && (
          <Chip label="inactive" size="small" variant="outlined" />
        )}
      </Box>
      <Tooltip title={idLine} describeChild>
        <Typography
          variant="caption"
          color="text.secondary"
          component="div"
          noWrap
        >
          {idLine}
        </Typography>
      </Tooltip>
    </Box>
  );
}

function Schedule(props: { dag: AirflowEntityDag }) {
  const { dag } = props;
  const nextRun = dag.nextRunAfter ?? dag.nextRunLogicalDate;
  return (
    <Box>
      <Tooltip title={dag.scheduleExpression ?? ''} describeChild>
        <Typography variant="body2">{dag.schedule ?? 'Manual only'}</Typography>
      </Tooltip>
      {nextRun && !dag.isPaused && (
        <Tooltip
          describeChild
          title={`Logical date ${formatDateTime(
            dag.nextRunLogicalDate,
          )}; runs after ${formatDateTime(dag.nextRunAfter ?? nextRun)}`}
        >
          <Typography variant="caption" color="text.secondary">
            Next run {formatRelativeTime(nextRun)}
          </Typography>
        </Tooltip>
      )}
    </Box>
  );
}

function LastRun(props: {
  dag: AirflowEntityDag;
  onShowFailure?: (dag: AirflowEntityDag, run: AirflowDagRun) => void;
}) {
  const { dag, onShowFailure } = props;
  const last = dag.recentRuns[0];
  if (!last) return <Typography variant="body2">—</Typography>;
  return (
    // One line per part: a state such as "success" never breaks mid-word.
    <Box sx={{ whiteSpace: 'nowrap' }}>
      <DagRunStatus state={last.state} />
      <Typography variant="caption" color="text.secondary" component="div">
        {formatRelativeTime(
          last.startDate ?? last.logicalDate ?? last.queuedAt,
        )}
      </Typography>
      {last.state === 'failed' && onShowFailure && (
        <Button
          size="small"
          color="error"
          sx={{ px: 0.5, minWidth: 0 }}
          onClick={() => onShowFailure(dag, last)}
        >
          Why did it fail?
        </Button>
      )}
    </Box>
  );
}

/** The DAGs of an entity with their schedule, paused state and latest DAG runs. */
export function DagsTable(props: DagsTableProps) {
  const {
    entityRef,
    dags,
    permissions,
    onShowDagRuns,
    dagRunsHref,
    runHref,
    onTriggerDagRun,
    onShowFailure,
    onDagChanged,
    emptyContent,
  } = props;

  // material-table writes its own state into row objects: give it copies.
  const rows = useMemo(() => dags.map(dag => ({ ...dag })), [dags]);

  const columns: TableColumn<AirflowEntityDag>[] = [
    {
      title: 'DAG',
      field: 'displayName',
      highlight: true,
      width: `${DAG_COLUMN_WIDTH + 16}px`,
      render: dag => <DagName dag={dag} href={dagRunsHref(dag)} />,
    },
    {
      title: 'Description',
      field: 'description',
      render: dag => dag.description ?? '',
    },
    {
      title: AIRFLOW_OWNER_COLUMN_TITLE,
      tooltip: AIRFLOW_OWNER_COLUMN_HELP,
      field: 'owners',
      customFilterAndSearch: (term, dag) =>
        dag.owners
          .join(' ')
          .toLocaleLowerCase()
          .includes(term.toLocaleLowerCase()),
      render: dag => dag.owners.join(', '),
    },
    {
      title: 'Tags',
      field: 'tags',
      customFilterAndSearch: (term, dag) =>
        dag.tags
          .join(' ')
          .toLocaleLowerCase()
          .includes(term.toLocaleLowerCase()),
      render: dag => (
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }}>
          {dag.tags.map(tag => (
            <Chip key={tag} label={tag} size="small" />
          ))}
        </Box>
      ),
    },
    {
      title: 'Schedule',
      field: 'schedule',
      render: dag => <Schedule dag={dag} />,
    },
    {
      title: 'Active',
      field: 'isPaused',
      searchable: false,
      render: dag => (
        <DagPausedSwitch
          entityRef={entityRef}
          dag={dag}
          permission={permissions.pause}
          onChange={onDagChanged}
        />
      ),
    },
    {
      title: 'Latest runs',
      sorting: false,
      searchable: false,
      render: dag =>
        props.runsUnavailable?.has(dag.instance) ? (
          <RunsUnavailable />
        ) : (
          <DagRunStrip runs={dag.recentRuns} runHref={runHref} />
        ),
    },
    {
      title: 'Last run',
      searchable: false,
      customSort: (a, b) =>
        (a.recentRuns[0]?.state ?? '').localeCompare(
          b.recentRuns[0]?.state ?? '',
        ),
      render: dag =>
        props.runsUnavailable?.has(dag.instance) ? (
          <RunsUnavailable />
        ) : (
          <LastRun dag={dag} onShowFailure={onShowFailure} />
        ),
    },
    {
      title: 'Actions',
      sorting: false,
      searchable: false,
      render: dag => (
        <Box sx={{ display: 'flex', whiteSpace: 'nowrap' }}>
          <ActionIconButton
            label="Show DAG runs"
            icon={<ListIcon fontSize="small" />}
            onClick={() => onShowDagRuns(dag)}
          />
          <ActionIconButton
            label="Trigger DAG run"
            icon={<PlayArrowIcon fontSize="small" />}
            onClick={() => onTriggerDagRun(dag)}
            permission={permissions.trigger}
          />
        </Box>
      ),
    },
  ];

  return (
    <Table<AirflowEntityDag>
      title="DAGs"
      columns={columns}
      data={rows}
      emptyContent={emptyContent}
      options={{
        paging: dags.length > 20,
        pageSize: 20,
        padding: 'dense',
        search: dags.length > 5,
      }}
    />
  );
}
