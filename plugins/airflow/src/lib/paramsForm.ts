import type {
  AirflowDagParam,
  JsonObject,
  JsonValue,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/**
 * The trigger form's JSON schema and UI schema, made from a DAG's params as
 * Airflow returns them (`Param.dump()`, both API versions): one property per
 * param with the param's own JSON schema, so that the form validates what
 * Airflow validates. What Airflow's own trigger form reads beyond JSON
 * Schema is moved into the UI schema:
 * - `values_display` → labels of the `enum` values (`ui:enumNames`);
 * - `section` → the group the field is shown in (`ui:sections` on the root);
 * - `description_md` → the description, rendered as Markdown;
 * - `const` → a read-only field;
 * - an `array` of `enum` items → a multi-select (with `uniqueItems`, which
 *   the form library needs for one);
 * - an `object` without `properties`, an `array` of anything but strings and
 *   a param without a type → one JSON field (`ui:field: 'json'`).
 */
export interface ParamsFormSchema {
  /** A JSON Schema object with one property per param. */
  schema: JsonObject;
  /** react-jsonschema-form's UI schema. */
  uiSchema: Record<string, unknown>;
}

/** Keys Airflow's own form reads that are not JSON Schema keywords. */
const AIRFLOW_UI_KEYS = ['values_display', 'section', 'description_md'];

type UiSchema = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The declared types of a schema, `null` included. */
export function typesOf(schema: JsonObject): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter(t => typeof t === 'string');
  return [];
}

function enumLabels(
  values: JsonValue[],
  display: JsonValue | undefined,
): string[] | undefined {
  if (!isObject(display)) return undefined;
  return values.map(value => {
    const label = display[String(value)];
    return typeof label === 'string' ? label : String(value);
  });
}

/** Whether the form shows the param as one JSON text field. */
function needsJsonField(schema: JsonObject, value: JsonValue): boolean {
  const types = typesOf(schema).filter(t => t !== 'null');
  if (schema.const !== undefined || Array.isArray(schema.enum)) return false;
  if (types.length === 0) return true;
  if (types.length > 1) return true;
  const [type] = types;
  if (type === 'object') return !isObject(schema.properties);
  if (type === 'array') {
    if (isObject(schema.items)) return false;
    // Without `items` Airflow's form takes one string per line: a list of strings.
    return Array.isArray(value) && value.some(item => typeof item !== 'string');
  }
  return false;
}

function fieldOf(param: AirflowDagParam): {
  schema: JsonObject;
  ui: UiSchema;
  section?: string;
} {
  const source = param.schema;
  const schema: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (!AIRFLOW_UI_KEYS.includes(key)) schema[key] = value;
  }
  const ui: UiSchema = {};
  const markdown =
    typeof source.description_md === 'string'
      ? source.description_md
      : undefined;
  const description = markdown ?? param.description ?? undefined;
  if (description) schema.description = description;
  if (markdown) ui['ui:enableMarkdownInDescription'] = true;

  const types = typesOf(schema);
  if (types.includes('null')) ui['ui:emptyValue'] = null;
  if (schema.const !== undefined) ui['ui:readonly'] = true;
  if (Array.isArray(schema.enum)) {
    const labels = enumLabels(schema.enum, source.values_display);
    if (labels) ui['ui:enumNames'] = labels;
  }
  if (needsJsonField(schema, param.value)) {
    ui['ui:field'] = 'json';
  } else if (types.includes('array')) {
    const items = isObject(schema.items) ? schema.items : undefined;
    if (!items) {
      schema.items = { type: 'string' };
    } else if (Array.isArray(items.enum)) {
      // A multi-select of the item values, as Airflow's form shows it (the
      // form library shows one only for unique items; a select repeats none).
      schema.uniqueItems = true;
      const labels = enumLabels(items.enum, source.values_display);
      if (labels) ui['ui:enumNames'] = labels;
    }
  } else if (types.includes('boolean')) {
    ui['ui:widget'] = 'switch';
  }
  const section =
    typeof source.section === 'string' && source.section.trim()
      ? source.section.trim()
      : undefined;
  return { schema, ui, section };
}

/**
 * The form of a DAG's params; the fields keep the params' order, those
 * without a section first, then each section in the order it first appears.
 */
export function paramsFormSchema(
  params: Record<string, AirflowDagParam>,
): ParamsFormSchema {
  const properties: JsonObject = {};
  const uiSchema: UiSchema = {};
  const sections: Record<string, string> = {};
  const unsectioned: string[] = [];
  const bySection = new Map<string, string[]>();
  for (const [name, param] of Object.entries(params)) {
    const field = fieldOf(param);
    properties[name] = field.schema;
    uiSchema[name] = field.ui;
    if (field.section) {
      sections[name] = field.section;
      bySection.set(field.section, [
        ...(bySection.get(field.section) ?? []),
        name,
      ]);
    } else {
      unsectioned.push(name);
    }
  }
  uiSchema['ui:order'] = [
    ...unsectioned,
    ...[...bySection.values()].flat(),
    '*',
  ];
  uiSchema['ui:sections'] = sections;
  // No `additionalProperties` keyword: other conf keys pass validation (as in
  // Airflow) and stay in the data, without the form offering them as fields.
  return { schema: { type: 'object', properties }, uiSchema };
}

/** A form's data as a run config: a JSON copy, without the keys the form left undefined. */
export function formDataToConf(formData: unknown): JsonObject {
  if (!isObject(formData)) return {};
  return JSON.parse(JSON.stringify(formData)) as JsonObject;
}
