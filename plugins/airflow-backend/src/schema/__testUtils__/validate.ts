/**
 * Test helper: validates response bodies against this plugin's OpenAPI spec
 * (`openapi.yaml`, OpenAPI 3.1, whose schemas are JSON Schema 2020-12).
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const SPEC_ID = 'https://backstage.test/airflow/openapi.json';

/** The parsed spec. */
export const spec: any = YAML.parse(
  fs.readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8'),
);

let ajv: Ajv2020 | undefined;

function getAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const defs = JSON.parse(
      JSON.stringify(spec.components.schemas).replaceAll(
        '#/components/schemas/',
        '#/$defs/',
      ),
    );
    ajv.addSchema({ $id: SPEC_ID, $defs: defs });
  }
  return ajv;
}

/** The `$ref` of the JSON response schema of an operation for a status, or undefined. */
export function responseSchemaRef(
  method: string,
  specPath: string,
  status: number,
): string | undefined {
  const operation = spec.paths[specPath]?.[method.toLowerCase()];
  if (!operation)
    throw new Error(`${method} ${specPath} is not in openapi.yaml`);
  const response =
    operation.responses[String(status)] ?? operation.responses.default;
  const resolved = response?.$ref
    ? spec.components.responses[response.$ref.split('/').pop()]
    : response;
  return resolved?.content?.['application/json']?.schema?.$ref;
}

/**
 * Errors of `body` against the spec's response schema for `method specPath`
 * and `status` (empty when it conforms).
 */
export function specErrors(
  method: string,
  specPath: string,
  status: number,
  body: unknown,
): string[] {
  const ref = responseSchemaRef(method, specPath, status);
  if (!ref)
    return [`no JSON response schema for ${method} ${specPath} ${status}`];
  const validate = getAjv().compile({
    $ref: `${SPEC_ID}${ref.replace('#/components/schemas/', '#/$defs/')}`,
  });
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    e =>
      `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

/** Errors of `value` against a named component schema (empty when valid). */
export function componentErrors(name: string, value: unknown): string[] {
  const validate = getAjv().compile({ $ref: `${SPEC_ID}#/$defs/${name}` });
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    e => `${e.instancePath || '(root)'} ${e.message}`,
  );
}
