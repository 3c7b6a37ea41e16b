import type { JsonObject } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Form from '@rjsf/mui';
import { Templates } from '@rjsf/mui';
import type {
  ErrorSchema,
  FieldProps,
  ObjectFieldTemplateProps,
  RJSFSchema,
  RJSFValidationError,
  WidgetProps,
} from '@rjsf/utils';
import { getUiOptions } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import Box from '@mui/material/Box';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useMemo, useState } from 'react';
import { formDataToConf, type ParamsFormSchema } from '../../lib/paramsForm';

/** One client-side validation error of the run config. */
export interface ConfValidationError {
  /** The param (top-level conf key) it belongs to, if any. */
  param?: string;
  /** `top_n: must be at most 100`. */
  message: string;
}

/** Props of {@link ParamsForm}. */
export interface ParamsFormProps {
  form: ParamsFormSchema;
  /** The run config shown; the form is controlled. */
  conf: JsonObject;
  onChange: (conf: JsonObject) => void;
  /** Reports the validation errors of every `conf` shown, as the fields show them. */
  onValidation: (errors: ConfValidationError[]) => void;
  /** Errors to show on fields whatever the schema says (e.g. Airflow's refusal). */
  fieldErrors?: Record<string, string>;
  disabled?: boolean;
}

const characters = (n: unknown, what: string) =>
  `${n} ${what}${n === 1 ? '' : 's'}`;

/** Ajv's error in the words the backend uses for Airflow's refusals. */
function reasonOf(error: RJSFValidationError): string {
  const p = (error.params ?? {}) as Record<string, any>;
  switch (error.name) {
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${p.limit}`;
    case 'exclusiveMinimum':
      return `must be greater than ${p.limit}`;
    case 'multipleOf':
      return `must be a multiple of ${p.multipleOf}`;
    case 'minLength':
      return p.limit === 1
        ? 'must not be empty'
        : `must have at least ${characters(p.limit, 'character')}`;
    case 'maxLength':
      return `must have at most ${characters(p.limit, 'character')}`;
    case 'minItems':
      return `must have at least ${characters(p.limit, 'item')}`;
    case 'maxItems':
      return `must have at most ${characters(p.limit, 'item')}`;
    case 'uniqueItems':
      return 'must not repeat items';
    case 'pattern':
      return `must match the pattern ${p.pattern}`;
    case 'format':
      return `must be a valid ${p.format}`;
    case 'enum':
      return `must be one of ${(p.allowedValues ?? []).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return `must be of type ${String(p.type).split(',').join(' or ')}`;
    case 'required':
      return `must have the property ${p.missingProperty}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** The top-level param of an error's property path (`.top_n`, `.tags.0`). */
function paramOf(error: RJSFValidationError): string | undefined {
  const match = /^\.([^.[]+)|^\['([^']+)'\]/.exec(error.property ?? '');
  return match?.[1] ?? match?.[2];
}

/** Readable messages on the fields and in the error list. */
function transformErrors(errors: RJSFValidationError[]): RJSFValidationError[] {
  return errors.map(error => {
    const message = reasonOf(error);
    const path = (error.property ?? '').replace(/^\./, '');
    return { ...error, message, stack: path ? `${path}: ${message}` : message };
  });
}

/** Booleans as a switch, as Airflow's own form shows them. */
function SwitchWidget(props: WidgetProps) {
  const { id, value, disabled, readonly, label, onChange } = props;
  return (
    <FormControlLabel
      control={
        <Switch
          id={id}
          inputProps={{ role: 'switch' }}
          checked={value === true}
          disabled={disabled || readonly}
          onChange={(_, checked) => onChange(checked)}
        />
      }
      label={label}
    />
  );
}

/** Any JSON value in a monospace text field (objects without properties, untyped params). */
function JsonValueField(props: FieldProps) {
  const { formData, onChange, schema, name, idSchema, disabled, readonly } =
    props;
  const serialized = formData === undefined ? '' : JSON.stringify(formData);
  const [text, setText] = useState(() =>
    formData === undefined ? '' : JSON.stringify(formData, null, 2),
  );
  const [parseError, setParseError] = useState<string>();
  // Follow changes made elsewhere (the JSON tab), not the echo of our own.
  useEffect(() => {
    setText(current => {
      try {
        if (JSON.stringify(JSON.parse(current)) === serialized) return current;
      } catch {
        // the text did not parse: take the new value
      }
      return formData === undefined ? '' : JSON.stringify(formData, null, 2);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serialized]);
  return (
    <TextField
      id={idSchema.$id}
      label={schema.title ?? name}
      value={text}
      onChange={event => {
        const next = event.target.value;
        setText(next);
        if (!next.trim()) {
          setParseError(undefined);
          onChange(undefined);
          return;
        }
        try {
          onChange(JSON.parse(next));
          setParseError(undefined);
        } catch (e) {
          setParseError(`Invalid JSON: ${(e as Error).message}`);
        }
      }}
      error={Boolean(parseError)}
      helperText={parseError ?? 'Any JSON value'}
      disabled={disabled || readonly}
      multiline
      minRows={2}
      fullWidth
      inputProps={{
        spellCheck: false,
        style: { fontFamily: 'monospace', fontSize: '0.875rem' },
      }}
    />
  );
}

/** The root groups its fields by their Airflow `section`; nested objects render as usual. */
function SectionedObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const { idSchema, uiSchema, properties } = props;
  const Default = Templates.ObjectFieldTemplate!;
  if (idSchema.$id !== 'root') return <Default {...props} />;
  const sections = (getUiOptions(uiSchema).sections ?? {}) as Record<
    string,
    string
  >;
  const groups = new Map<string | undefined, typeof properties>();
  for (const property of properties) {
    const section = sections[property.name];
    groups.set(section, [...(groups.get(section) ?? []), property]);
  }
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      {[...groups.entries()].map(([section, items]) => (
        <Box
          key={section ?? ''}
          component={section ? 'fieldset' : 'div'}
          sx={
            section
              ? {
                  border: 1,
                  borderColor: 'divider',
                  borderRadius: 1,
                  px: 2,
                  pb: 1,
                  m: 0,
                }
              : undefined
          }
        >
          {section && (
            <Typography component="legend" variant="subtitle2" sx={{ px: 0.5 }}>
              {section}
            </Typography>
          )}
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            {items.map(item => (
              <Box key={item.name}>{item.content}</Box>
            ))}
          </Box>
        </Box>
      ))}
    </Box>
  );
}

const widgets = { switch: SwitchWidget };
const fields = { json: JsonValueField };
const templates = { ObjectFieldTemplate: SectionedObjectFieldTemplate };

/**
 * The trigger form generated from a DAG's params by react-jsonschema-form
 * with its MUI theme (so it follows the app's theme), validated live with Ajv
 * against the params' own schemas; errors show on their fields. Loaded on
 * demand by the trigger dialog.
 */
export default function ParamsForm(props: ParamsFormProps) {
  const { form, conf, onChange, onValidation, fieldErrors, disabled } = props;
  const schema = form.schema as RJSFSchema;
  const uiSchema = useMemo(
    () => ({
      ...form.uiSchema,
      'ui:submitButtonOptions': { norender: true },
    }),
    [form.uiSchema],
  );

  const errors = useMemo(
    () =>
      validator.validateFormData(conf, schema, undefined, transformErrors)
        .errors,
    [conf, schema],
  );
  useEffect(() => {
    onValidation(
      errors.map(error => ({ param: paramOf(error), message: error.stack })),
    );
  }, [errors, onValidation]);

  const extraErrors = useMemo(() => {
    if (!fieldErrors) return undefined;
    const out: Record<string, { __errors: string[] }> = {};
    for (const [param, message] of Object.entries(fieldErrors)) {
      out[param] = { __errors: [message] };
    }
    return out as ErrorSchema;
  }, [fieldErrors]);

  return (
    <Form
      schema={schema}
      uiSchema={uiSchema}
      formData={conf}
      validator={validator}
      widgets={widgets}
      fields={fields}
      templates={templates}
      transformErrors={transformErrors}
      extraErrors={extraErrors}
      onChange={event => onChange(formDataToConf(event.formData))}
      liveValidate
      showErrorList={false}
      noHtml5Validate
      disabled={disabled}
    />
  );
}
