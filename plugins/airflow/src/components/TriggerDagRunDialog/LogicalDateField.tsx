import Box from '@mui/material/Box';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import {
  convertDateTimeInput,
  logicalDateTimes,
  type LogicalDateZone,
} from '../../lib/logicalDate';

/** Props of {@link LogicalDateField}. */
export interface LogicalDateFieldProps {
  /** The `datetime-local` value, in `zone`. */
  value: string;
  zone: LogicalDateZone;
  onChange: (value: string, zone: LogicalDateZone) => void;
  /** The value as ISO 8601 with an offset, when it is a valid date. */
  iso?: string;
  error?: string;
  disabled?: boolean;
}

/**
 * The optional logical date, typed in the browser's zone or in UTC, shown in
 * both: Airflow keeps it in UTC, people read their own time.
 */
export function LogicalDateField(props: LogicalDateFieldProps) {
  const { value, zone, onChange, iso, error, disabled } = props;
  const times = iso ? logicalDateTimes(iso) : undefined;
  return (
    <Box sx={{ mt: 2 }}>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'flex-start' }}>
        <TextField
          id="airflow-trigger-logical-date"
          label="Logical date"
          type="datetime-local"
          value={value}
          onChange={e => onChange(e.target.value, zone)}
          error={Boolean(error)}
          helperText={
            error ??
            `Optional, in ${
              zone === 'utc' ? 'UTC' : 'your time zone'
            }. Defaults to now.`
          }
          InputLabelProps={{ shrink: true }}
          inputProps={{ step: 1 }}
          disabled={disabled}
          sx={{ flex: 1 }}
        />
        <ToggleButtonGroup
          size="small"
          exclusive
          value={zone}
          disabled={disabled}
          aria-label="Time zone of the logical date"
          onChange={(_, next: LogicalDateZone | null) => {
            if (next) onChange(convertDateTimeInput(value, zone, next), next);
          }}
          sx={{ mt: 1 }}
        >
          <ToggleButton value="local">Local</ToggleButton>
          <ToggleButton value="utc">UTC</ToggleButton>
        </ToggleButtonGroup>
      </Box>
      {times && (
        <Typography
          variant="caption"
          color="text.secondary"
          component="p"
          aria-label="Logical date in UTC and local time"
        >
          {times.utc} · {times.local}
        </Typography>
      )}
    </Box>
  );
}
