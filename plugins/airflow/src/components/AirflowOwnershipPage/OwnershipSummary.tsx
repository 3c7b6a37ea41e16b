import type { AirflowOwnershipSummary } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import Typography from '@mui/material/Typography';
import type { OwnershipFilters, OwnershipFlag } from '../../lib/ownership';

/** Status flags a summary tile can select; `undefined` is "every DAG". */
type TileFlag = Exclude<OwnershipFlag, 'mine'> | undefined;

const TILE_FLAGS: Exclude<OwnershipFlag, 'mine'>[] = [
  'owned',
  'orphans',
  'failing',
  'paused',
];

/** Props of {@link OwnershipSummary}. */
export interface OwnershipSummaryProps {
  summary: AirflowOwnershipSummary;
  filters: OwnershipFilters;
  /** Shows only the DAGs of one status (or every DAG for `undefined`). */
  onSelect: (flag: TileFlag) => void;
  /** Brings the dangling references into view. */
  onShowDangling: () => void;
}

function SummaryTile(props: {
  label: string;
  count: number;
  pressed?: boolean;
  tone?: 'error' | 'warning';
  onClick: () => void;
}) {
  const { label, count, pressed, tone, onClick } = props;
  return (
    <Card
      variant="outlined"
      sx={{
        borderColor: pressed ? 'primary.main' : undefined,
        borderWidth: pressed ? 2 : 1,
      }}
    >
      <CardActionArea
        aria-label={`${label}: ${count}`}
        aria-pressed={pressed}
        onClick={onClick}
        sx={{ p: 2, height: '100%' }}
      >
        <Typography
          variant="h4"
          component="div"
          color={tone && count > 0 ? `${tone}.main` : undefined}
        >
          {count}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
      </CardActionArea>
    </Card>
  );
}

/**
 * Counts of the ownership index as tiles. A DAG tile shows only the DAGs it
 * counts (again: every DAG); the dangling tile scrolls to its table.
 */
export function OwnershipSummary(props: OwnershipSummaryProps) {
  const { summary, filters, onSelect, onShowDangling } = props;
  const active = TILE_FLAGS.filter(flag => filters[flag]);
  const only = (flag: TileFlag) =>
    flag === undefined
      ? active.length === 0
      : active.length === 1 && active[0] === flag;
  const toggle = (flag: Exclude<TileFlag, undefined>) =>
    onSelect(only(flag) ? undefined : flag);

  return (
    <Box
      role="group"
      aria-label="Summary"
      sx={{
        display: 'grid',
        gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))',
        gap: 2,
      }}
    >
      <SummaryTile
        label="Total DAGs"
        count={summary.total}
        pressed={only(undefined)}
        onClick={() => onSelect(undefined)}
      />
      <SummaryTile
        label="Owned"
        count={summary.owned}
        pressed={only('owned')}
        onClick={() => toggle('owned')}
      />
      <SummaryTile
        label="Orphans"
        count={summary.orphans}
        tone="warning"
        pressed={only('orphans')}
        onClick={() => toggle('orphans')}
      />
      <SummaryTile
        label="Dangling references"
        count={summary.dangling}
        tone="warning"
        onClick={onShowDangling}
      />
      <SummaryTile
        label="Failing"
        count={summary.failing}
        tone="error"
        pressed={only('failing')}
        onClick={() => toggle('failing')}
      />
      <SummaryTile
        label="Paused"
        count={summary.paused}
        pressed={only('paused')}
        onClick={() => toggle('paused')}
      />
    </Box>
  );
}
