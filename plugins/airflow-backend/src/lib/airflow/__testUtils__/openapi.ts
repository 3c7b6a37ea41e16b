/**
 * Validation of test fixtures and request bodies against the official Airflow
 * OpenAPI specs kept in `../__fixtures__/specs/`.
 *
 * The client copies of the specs are OpenAPI 3.0 (v1) and "3.1 with 3.0
 * habits" (v2: `nullable: true` instead of `anyOf [X, null]`). Both are
 * converted to plain JSON Schema 2020-12 before compiling with Ajv:
 * - `nullable: true` → `type: [T, 'null']` (and `null` added to an `enum`), or
 *   `anyOf: [<schema>, {type: 'null'}]` when the schema is a `$ref` or a
 *   composition;
 * - `#/components/schemas/X` → `#/$defs/X`;
 * - OpenAPI-only keywords (`discriminator`, `example`, `xml`, `x-*`) dropped;
 * - v1's non-standard format `datetime` validated like `date-time`.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';

/** The spec files: Airflow 2.10 (`v1`), Airflow 3.2 (`v2`) and Airflow 3.0.2. */
export type AirflowSpecName = 'v1' | 'v2' | 'v2-airflow-3.0.2';

const SPEC_DIR = path.resolve(__dirname, '../__fixtures__/specs');

type Schema = Record<string, unknown>;

const DROPPED_KEYWORDS = new Set([
  'discriminator',
  'example',
  'examples',
  'xml',
  'externalDocs',
]);
const SCHEMA_MAP_KEYWORDS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
]);
const SCHEMA_LIST_KEYWORDS = new Set([
  'allOf',
  'anyOf',
  'oneOf',
  'prefixItems',
]);
const SCHEMA_KEYWORDS = new Set([
  'items',
  'additionalProperties',
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'unevaluatedProperties',
  'unevaluatedItems',
]);

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One OpenAPI schema object → JSON Schema 2020-12 (see the module doc). */
export function toJsonSchema(schema: unknown): unknown {
  if (!isObject(schema)) {
    return schema;
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (
      DROPPED_KEYWORDS.has(key) ||
      key.startsWith('x-') ||
      key === 'nullable'
    ) {
      continue;
    }
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/components/schemas/', '#/$defs/');
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]),
      );
    } else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) {
      out[key] = value.map(toJsonSchema);
    } else if (SCHEMA_KEYWORDS.has(key) && isObject(value)) {
      out[key] = toJsonSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable !== true) {
    return out;
  }
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) {
      out.enum = [...out.enum, null];
    }
    return out;
  }
  if ('$ref' in out || 'allOf' in out || 'anyOf' in out || 'oneOf' in out) {
    const {
      description,
      title,
      readOnly,
      writeOnly,
      deprecated,
      default: def,
      ...rest
    } = out;
    const wrapped: Schema = { anyOf: [rest, { type: 'null' }] };
    Object.assign(
      wrapped,
      Object.fromEntries(
        Object.entries({
          description,
          title,
          readOnly,
          writeOnly,
          deprecated,
          default: def,
        }).filter(([, v]) => v !== undefined),
      ),
    );
    return wrapped;
  }
  return out;
}

const specs = new Map<AirflowSpecName, Schema>();

/** The parsed spec document (cached). */
export function loadAirflowSpec(name: AirflowSpecName): Schema {
  let spec = specs.get(name);
  if (!spec) {
    spec = YAML.parse(
      fs.readFileSync(path.join(SPEC_DIR, `${name}.yaml`), 'utf8'),
    ) as Schema;
    specs.set(name, spec);
  }
  return spec;
}

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

function getAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      validateSchema: false,
    });
    addFormats(ajv);
    ajv.addFormat('datetime', fullFormats['date-time']);
  }
  return ajv;
}

function schemaId(name: AirflowSpecName): string {
  return `https://airflow.test/specs/${name}.json`;
}

function getValidator(
  spec: AirflowSpecName,
  schemaName: string,
): ValidateFunction {
  const key = `${spec}#${schemaName}`;
  let validate = validators.get(key);
  if (!validate) {
    const instance = getAjv();
    const id = schemaId(spec);
    if (!instance.getSchema(id)) {
      const doc = loadAirflowSpec(spec);
      const schemas = (doc.components as Schema).schemas as Schema;
      const defs = Object.fromEntries(
        Object.entries(schemas).map(([name, schema]) => [
          name,
          toJsonSchema(schema),
        ]),
      );
      instance.addSchema({ $id: id, $defs: defs });
    }
    const schemas = (loadAirflowSpec(spec).components as Schema)
      .schemas as Schema;
    if (!(schemaName in schemas)) {
      throw new Error(`Schema ${schemaName} does not exist in ${spec}.yaml`);
    }
    validate = instance.compile({ $ref: `${id}#/$defs/${schemaName}` });
    validators.set(key, validate);
  }
  return validate;
}

/** Validation errors of `data` against `components.schemas[schemaName]` of a spec (empty when valid). */
export function airflowSchemaErrors(
  spec: AirflowSpecName,
  schemaName: string,
  data: unknown,
): string[] {
  const validate = getValidator(spec, schemaName);
  if (validate(data)) {
    return [];
  }
  return (validate.errors ?? []).map(
    e =>
      `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(
        e.params,
      )}`,
  );
}
