import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import GetAppIcon from '@material-ui/icons/GetApp';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { ChangeEvent } from 'react';
import {
  NO_OWNERSHIP_FILTERS,
  type OwnershipFilters,
  type OwnershipFlag,
} from '../../lib/ownership';

/** Props of {@link OwnershipFiltersBar}. */
export interface OwnershipFiltersBarProps {
  filters: OwnershipFilters;
  onChange: (filters: OwnershipFilters) => void;
  onFlagChange: (flag: OwnershipFlag, value: boolean) => void;
  search: string;
  onSearchChange: (search: string) => void;
  instances: string[];
  owners: string[];
  /** Why "Owned by me" is unavailable (identity still loading or failed). */
  mineUnavailableReason?: string;
  shown: number;
  total: number;
  onExport: () => void;
}

/** An owner ref as a short label: `group:analytics`, `user:other/jane`. */
function ownerLabel(ref: string): string {
  try {
    return humanizeEntityRef(parseEntityRef(ref));
  } catch {
    return ref;
  }
}

const FLAG_LABELS: { flag: OwnershipFlag; label: string }[] = [
  { flag: 'mine', label: 'Owned by me' },
  { flag: 'owned', label: 'Owned only' },
  { flag: 'orphans', label: 'Orphans only' },
  { flag: 'failing', label: 'Failing only' },
  { flag: 'paused', label: 'Paused only' },
];

/** Instance and owner selects, status switches, search and CSV export. */
export function OwnershipFiltersBar(props: OwnershipFiltersBarProps) {
  const {
    filters,
    onChange,
    onFlagChange,
    search,
    onSearchChange,
    instances,
    owners,
    mineUnavailableReason,
    shown,
    total,
    onExport,
  } = props;
  const filtered =
    search.trim() !== '' ||
    (Object.keys(filters) as (keyof OwnershipFilters)[]).some(
      key => filters[key] !== NO_OWNERSHIP_FILTERS[key],
    );
  // Keep a selected owner or instance visible even when no DAG has it (any more).
  const instanceOptions =
    filters.instance && !instances.includes(filters.instance)
      ? [...instances, filters.instance]
      : instances;
  const ownerOptions =
    filters.owner && !owners.includes(filters.owner)
      ? [...owners, filters.owner]
      : owners;

  return (
    <Box
      role="group"
      aria-label="Filters"
      sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}
    >
      <Box
        sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center' }}
      >
        <TextField
          id="airflow-ownership-instance"
          select
          size="small"
          label="Instance"
          value={filters.instance}
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            onChange({ ...filters, instance: e.target.value })
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          sx={{ minWidth: 160 }}
        >
          <option value="">All instances</option>
          {instanceOptions.map(instance => (
            <option key={instance} value={instance}>
              {instance}
            </option>
          ))}
        </TextField>
        <TextField
          id="airflow-ownership-owner"
          select
          size="small"
          label="Owner"
          value={filters.owner}
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            onChange({ ...filters, owner: e.target.value })
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          sx={{ minWidth: 220 }}
        >
          <option value="">All owners</option>
          {ownerOptions.map(owner => (
            <option key={owner} value={owner}>
              {ownerLabel(owner)}
            </option>
          ))}
        </TextField>
        <TextField
          id="airflow-ownership-search"
          size="small"
          type="search"
          label="Search DAGs"
          value={search}
          onChange={e => onSearchChange(e.target.value)}
          sx={{ minWidth: 220 }}
        />
        <Box sx={{ flexGrow: 1 }} />
        <Button
          variant="outlined"
          startIcon={<GetAppIcon />}
          onClick={onExport}
          disabled={shown === 0}
        >
          Export CSV
        </Button>
      </Box>
      <Box
        sx={{
          display: 'flex',
          flexWrap: 'wrap',
          columnGap: 1,
          alignItems: 'center',
        }}
      >
        {FLAG_LABELS.map(({ flag, label }) => {
          const unavailable = flag === 'mine' && mineUnavailableReason;
          const control = (
            <FormControlLabel
              label={label}
              disabled={Boolean(unavailable)}
              control={
                <Switch
                  size="small"
                  checked={filters[flag]}
                  inputProps={{ role: 'switch' }}
                  onChange={(_, checked) => onFlagChange(flag, checked)}
                />
              }
            />
          );
          return unavailable ? (
            <Tooltip key={flag} title={unavailable} describeChild>
              <span>{control}</span>
            </Tooltip>
          ) : (
            <Box component="span" key={flag}>
              {control}
            </Box>
          );
        })}
        {filtered && (
          <Button
            size="small"
            onClick={() => {
              onChange(NO_OWNERSHIP_FILTERS);
              onSearchChange('');
            }}
          >
            Clear filters
          </Button>
        )}
        <Box sx={{ flexGrow: 1 }} />
        <Typography variant="body2" color="text.secondary" aria-live="polite">
          {shown === total
            ? `${total} ${total === 1 ? 'DAG' : 'DAGs'}`
            : `Showing ${shown} of ${total} DAGs`}
        </Typography>
      </Box>
    </Box>
  );
}
