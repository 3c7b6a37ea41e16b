import {
  DAG_ID_MAX_LENGTH,
  DAG_ID_PATTERN,
  DAG_RUNS_OFFSET_MAX,
  DAG_RUNS_PAGE_SIZE_DEFAULT,
  DAG_RUNS_PAGE_SIZE_MAX,
  ENTITY_KIND_MAX_LENGTH,
  ENTITY_KIND_PATTERN,
  ENTITY_NAME_MAX_LENGTH,
  ENTITY_NAME_PATTERN,
  ENTITY_NAMESPACE_MAX_LENGTH,
  ENTITY_NAMESPACE_PATTERN,
  INSTANCE_NAME_MAX_LENGTH,
  INSTANCE_NAME_PATTERN,
  LOGICAL_DATE_MAX_YEAR,
  LOGICAL_DATE_MIN_YEAR,
  LOGICAL_DATE_PATTERN,
  NOTE_MAX_LENGTH,
  NOTE_PATTERN,
  OWNER_REF_MAX_LENGTH,
  OWNERSHIP_OFFSET_MAX,
  OWNERSHIP_PAGE_SIZE_DEFAULT,
  OWNERSHIP_PAGE_SIZE_MAX,
  OWNERSHIP_SEARCH_MAX_LENGTH,
  RUN_ID_MAX_LENGTH,
  RUN_ID_PATTERN,
  TASK_ID_MAX_LENGTH,
  TASK_ID_PATTERN,
  MAP_INDEX_MAX,
  MAP_INDEX_UNMAPPED,
  TRY_NUMBER_MAX,
  LOG_TOKEN_MAX_LENGTH,
  LOG_TOKEN_PATTERN,
  LOG_OFFSET_MAX,
  LOG_TAIL_LINES_MAX,
  LOG_LINE_MAX_CHARS,
  LOG_ERROR_MESSAGE_MAX_CHARS,
  LOG_ERRORS_MAX,
  GRID_RUNS_MAX,
  GRID_RUNS_DEFAULT,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { spec as generatedSpec } from './openapi';
import { componentErrors, spec } from './__testUtils__/validate';

/**
 * The domain limits live in airflow-common (limits.ts); the spec repeats them
 * as JSON Schema keywords. Every pair is compared here, so that changing one
 * without the other fails.
 */
describe('the OpenAPI spec agrees with the domain limits of airflow-common', () => {
  const param = (name: string) => spec.components.parameters[name].schema;

  it.each([
    ['kind', ENTITY_KIND_PATTERN, ENTITY_KIND_MAX_LENGTH],
    ['namespace', ENTITY_NAMESPACE_PATTERN, ENTITY_NAMESPACE_MAX_LENGTH],
    ['name', ENTITY_NAME_PATTERN, ENTITY_NAME_MAX_LENGTH],
    ['instance', INSTANCE_NAME_PATTERN, INSTANCE_NAME_MAX_LENGTH],
    ['dagId', DAG_ID_PATTERN, DAG_ID_MAX_LENGTH],
    ['runId', RUN_ID_PATTERN, RUN_ID_MAX_LENGTH],
    ['taskId', TASK_ID_PATTERN, TASK_ID_MAX_LENGTH],
  ])('path parameter %s: pattern and length', (name, pattern, maxLength) => {
    expect(param(name).pattern).toBe(pattern.source);
    expect(param(name).maxLength).toBe(maxLength);
    expect(param(name).minLength).toBe(1);
  });

  it('the trigger body: note length and characters, logical date shape and years', () => {
    const body = spec.components.schemas.TriggerDagRunRequest.properties;
    expect(body.note.maxLength).toBe(NOTE_MAX_LENGTH);
    expect(body.note.pattern).toBe(NOTE_PATTERN.source);
    expect(body.runId.pattern).toBe(RUN_ID_PATTERN.source);
    expect(body.runId.maxLength).toBe(RUN_ID_MAX_LENGTH);
    expect(body.runId.minLength).toBe(1);
    expect(body.logicalDate.pattern).toBe(LOGICAL_DATE_PATTERN.source);
    expect(body.logicalDate.format).toBe('date-time');
    expect(body.logicalDate['x-error-message']).toContain(
      `between the years ${LOGICAL_DATE_MIN_YEAR} and ${LOGICAL_DATE_MAX_YEAR}`,
    );
    // The pattern itself bounds the years.
    const year = (y: number) =>
      LOGICAL_DATE_PATTERN.test(`${y}-06-01T00:00:00Z`);
    expect(year(LOGICAL_DATE_MIN_YEAR)).toBe(true);
    expect(year(LOGICAL_DATE_MIN_YEAR - 1)).toBe(false);
    expect(year(LOGICAL_DATE_MAX_YEAR)).toBe(true);
    expect(year(LOGICAL_DATE_MAX_YEAR + 1)).toBe(false);
  });

  it('the ownership view: page size, offset, search and owner lengths, instance names', () => {
    expect(param('ownershipLimit').maximum).toBe(OWNERSHIP_PAGE_SIZE_MAX);
    expect(param('ownershipLimit').default).toBe(OWNERSHIP_PAGE_SIZE_DEFAULT);
    expect(param('ownershipOffset').maximum).toBe(OWNERSHIP_OFFSET_MAX);
    expect(param('ownershipQ').maxLength).toBe(OWNERSHIP_SEARCH_MAX_LENGTH);
    expect(param('ownershipOwner').maxLength).toBe(OWNER_REF_MAX_LENGTH);
    expect(param('ownershipInstance').pattern).toBe(
      INSTANCE_NAME_PATTERN.source,
    );
    expect(param('ownershipInstance').maxLength).toBe(INSTANCE_NAME_MAX_LENGTH);
    // Every ownership route takes the same filters.
    for (const path of [
      '/ownership',
      '/ownership/dangling',
      '/ownership/export',
    ]) {
      const names = (spec.paths[path].get.parameters as any[]).map(p =>
        p.$ref.split('/').pop(),
      );
      expect(names).toEqual(
        expect.arrayContaining([
          'ownershipQ',
          'ownershipInstance',
          'ownershipOwner',
          'ownershipMine',
          'ownershipIncludeChildGroups',
        ]),
      );
    }
  });

  it('the runs listing: page size and offset', () => {
    const parameters = spec.paths[
      '/entities/{kind}/{namespace}/{name}/dags/{instance}/{dagId}/runs'
    ].get.parameters as any[];
    const limit = parameters.find(p => p.name === 'limit').schema;
    const offset = parameters.find(p => p.name === 'offset').schema;
    expect(limit.maximum).toBe(DAG_RUNS_PAGE_SIZE_MAX);
    expect(limit.default).toBe(DAG_RUNS_PAGE_SIZE_DEFAULT);
    expect(offset.maximum).toBe(DAG_RUNS_OFFSET_MAX);
  });

  it('task instances and logs: map index, try number, token, offset, tail, grid size, line and error sizes', () => {
    expect(param('mapIndex')).toMatchObject({
      type: 'integer',
      minimum: MAP_INDEX_UNMAPPED,
      maximum: MAP_INDEX_MAX,
      default: MAP_INDEX_UNMAPPED,
    });
    expect(param('tryNumber')).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: TRY_NUMBER_MAX,
    });
    const logs = spec.paths[
      '/entities/{kind}/{namespace}/{name}/dags/{instance}/{dagId}/runs/{runId}/taskInstances/{taskId}/logs/{tryNumber}'
    ].get.parameters as any[];
    const query = (name: string) => logs.find(p => p.name === name).schema;
    expect(query('token').pattern).toBe(LOG_TOKEN_PATTERN.source);
    expect(query('token').maxLength).toBe(LOG_TOKEN_MAX_LENGTH);
    expect(query('offset').maximum).toBe(LOG_OFFSET_MAX);
    expect(query('tail').maximum).toBe(LOG_TAIL_LINES_MAX);
    const grid =
      spec.paths[
        '/entities/{kind}/{namespace}/{name}/dags/{instance}/{dagId}/grid'
      ].get.parameters[0].schema;
    expect(grid).toMatchObject({
      maximum: GRID_RUNS_MAX,
      default: GRID_RUNS_DEFAULT,
    });
    const schemas = spec.components.schemas;
    expect(schemas.LogLine.properties.message.maxLength).toBe(
      LOG_LINE_MAX_CHARS,
    );
    expect(schemas.LogError.properties.message.maxLength).toBe(
      LOG_ERROR_MESSAGE_MAX_CHARS,
    );
    expect(schemas.TaskLog.properties.errors.maxItems).toBe(LOG_ERRORS_MAX);
  });

  it('a note exactly at the limit is valid, one character more is not (the former 800/1000 drift)', () => {
    expect(
      componentErrors('TriggerDagRunRequest', {
        note: 'x'.repeat(NOTE_MAX_LENGTH),
      }),
    ).toEqual([]);
    expect(
      componentErrors('TriggerDagRunRequest', { note: 'x'.repeat(900) }),
    ).not.toEqual([]);
  });

  it('the router is generated from this very spec (repo-tools verify checks the same)', () => {
    expect(generatedSpec).toEqual(spec);
  });
});

describe('the spec repeats the fields of a DAG identically where a schema extends it', () => {
  const dag = spec.components.schemas.Dag;

  it.each(['DagDetails', 'EntityDag'])(
    '%s has every field of Dag, with the same schema, required alike',
    name => {
      const schema = spec.components.schemas[name];
      for (const [field, fieldSchema] of Object.entries(dag.properties)) {
        expect([field, schema.properties[field]]).toEqual([field, fieldSchema]);
      }
      expect(schema.required).toEqual(expect.arrayContaining(dag.required));
    },
  );
});

describe('the spec repeats the fields of a DAG run identically where a schema extends it', () => {
  const dagRun = spec.components.schemas.DagRun;

  it.each([
    ['TriggeredDagRun', spec.components.schemas.TriggeredDagRun],
    [
      'TriggerConflictResponse.error.existingRun',
      spec.components.schemas.TriggerConflictResponse.properties.error
        .properties.existingRun,
    ],
  ])(
    '%s has every field of DagRun, with the same schema, required alike',
    (_, schema) => {
      const resolved =
        schema.$ref === '#/components/schemas/DagRun' ? dagRun : schema;
      for (const [field, fieldSchema] of Object.entries(dagRun.properties)) {
        expect([field, resolved.properties[field]]).toEqual([
          field,
          fieldSchema,
        ]);
      }
      expect(resolved.required).toEqual(
        expect.arrayContaining(dagRun.required),
      );
      expect(resolved.additionalProperties).toBe(false);
    },
  );
});
