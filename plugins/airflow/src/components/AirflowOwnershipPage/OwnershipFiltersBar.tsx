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
import { WarningPanel } from '@backstage/core-components';
import { OWNERSHIP_SEARCH_MAX_LENGTH } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import CircularProgress from '@mui/material/CircularProgress';
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { errorMessage } from '../../lib/errors';
import {
  NO_OWNERSHIP_FILTERS,
  isFiltered,
  type OwnershipFilters,
  type OwnershipFlag,
} from '../../lib/ownership';

/** How long the search box waits for more typing before it asks the server. */
export const SEARCH_DEBOUNCE_MS = 300;

/** Props of {@link OwnershipFiltersBar}. */
export interface OwnershipFiltersBarProps {
  filters: OwnershipFilters;
  onChange: (filters: OwnershipFilters) => void;
  onFlagChange: (flag: OwnershipFlag, value: boolean) => void;
  instances: string[];
  owners: string[];
  /** DAGs matching the filters. */
  shown: number;
  /** DAGs in the index. */
  total: number;
  /** True while the CSV export downloads. */
  exporting?: boolean;
  /** Why the latest CSV export failed. */
  exportError?: Error;
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

/** The search box: typing is sent after a pause; a new value from the URL replaces the text. */
function SearchBox(props: {
  value: string;
  onChange: (value: string) => void;
}) {
  const { value, onChange } = props;
  const [text, setText] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => setText(value), [value]);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <TextField
      id="airflow-ownership-search"
      size="small"
      type="search"
      label="Search DAGs"
      helperText="DAG id, name, tags or owners"
      value={text}
      inputProps={{ maxLength: OWNERSHIP_SEARCH_MAX_LENGTH }}
      onChange={e => {
        const next = e.target.value;
        setText(next);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => onChange(next), SEARCH_DEBOUNCE_MS);
      }}
      sx={{ minWidth: 240 }}
    />
  );
}

/** Instance and owner selects, status switches, search and CSV export. */
export function OwnershipFiltersBar(props: OwnershipFiltersBarProps) {
  const {
    filters,
    onChange,
    onFlagChange,
    instances,
    owners,
    shown,
    total,
    exporting,
    exportError,
    onExport,
  } = props;
  const filtered = isFiltered(filters);
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
          <option value="">All catalog owners</option>
          {ownerOptions.map(owner => (
            <option key={owner} value={owner}>
              {ownerLabel(owner)}
            </option>
          ))}
        </TextField>
        <SearchBox
          value={filters.q}
          onChange={q => onChange({ ...filters, q })}
        />
        <Box sx={{ flexGrow: 1 }} />
        <Button
          variant="outlined"
          startIcon={
            exporting ? (
              <CircularProgress size={16} aria-label="Exporting" />
            ) : (
              <GetAppIcon />
            )
          }
          onClick={onExport}
          disabled={shown === 0 || exporting}
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
        {FLAG_LABELS.map(({ flag, label }) => (
          <Box component="span" key={flag}>
            <FormControlLabel
              label={label}
              control={
                <Switch
                  size="small"
                  checked={filters[flag]}
                  inputProps={{ role: 'switch' }}
                  onChange={(_, checked) => onFlagChange(flag, checked)}
                />
              }
            />
          </Box>
        ))}
        <Tooltip
          title="A group's DAGs include those of the entities its child groups own (for the owner filter and Owned by me)"
          describeChild
        >
          <FormControlLabel
            label="Include child groups"
            control={
              <Switch
                size="small"
                checked={filters.includeChildGroups}
                inputProps={{ role: 'switch' }}
                onChange={(_, checked) =>
                  onChange({ ...filters, includeChildGroups: checked })
                }
              />
            }
          />
        </Tooltip>
        {filtered && (
          <Button size="small" onClick={() => onChange(NO_OWNERSHIP_FILTERS)}>
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
      {exportError && (
        <WarningPanel
          severity="error"
          title="Could not export the CSV file"
          message={errorMessage(exportError)}
        />
      )}
    </Box>
  );
}
