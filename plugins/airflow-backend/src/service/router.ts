import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  DAG_RUN_STATES,
  dagIdSchema,
  instanceNameSchema,
  type JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { AirflowService, EntityDagRequestOptions } from './AirflowService';
import type { OwnershipService } from './OwnershipService';

/** Largest accepted request body. A run config beyond this is refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Airflow's `allowed_run_id_pattern` plus generated ids (`manual__2025-...+00:00`). */
const runIdSchema = z
  .string()
  .min(1, 'run id is empty')
  .max(250, 'run id is longer than 250 characters')
  .refine(
    v => v !== '.' && v !== '..' && v !== '~',
    'run id may not be ".", ".." or "~" (Airflow reads "~" as every run)',
  )
  .regex(
    /^[A-Za-z0-9_.~:+-]+$/,
    'run id may contain only letters, digits and _ . ~ : + -',
  );

const entityParamsSchema = z.object({
  kind: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z0-9-]+$/, 'invalid entity kind'),
  namespace: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z0-9._-]+$/, 'invalid entity namespace'),
  name: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9._-]+$/, 'invalid entity name'),
});

/** Logical dates Backstage accepts: years 1900 to 2999, with a time zone offset. */
const isoDateWithOffset = z
  .string()
  .refine(
    v =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(
        v,
      ) && !Number.isNaN(Date.parse(v)),
    'must be an ISO 8601 date-time with a time zone offset, e.g. 2026-01-31T06:00:00Z',
  )
  .refine(v => {
    const year = Number(v.slice(0, 4));
    return year >= 1900 && year <= 2999;
  }, 'must be a date between the years 1900 and 2999');

/** Deepest nesting of a run config Backstage forwards (Airflow itself fails on very deep JSON). */
export const MAX_CONF_DEPTH = 32;

function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest >= limit) break;
  }
  return deepest + 1;
}

const confSchema: z.ZodType<JsonObject> = z
  .custom<JsonObject>(
    v => typeof v === 'object' && v !== null && !Array.isArray(v),
    'conf must be a JSON object, e.g. {"key": "value"}',
  )
  .refine(
    v => jsonDepth(v, MAX_CONF_DEPTH + 1) <= MAX_CONF_DEPTH,
    `conf is nested deeper than ${MAX_CONF_DEPTH} levels`,
  );

/** Control characters other than tab and newline are refused in notes. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Longest note a user may write; the backend prefixes it with who triggered the run. */
export const MAX_NOTE_LENGTH = 800;

const triggerBodySchema = z
  .object({
    conf: confSchema.optional(),
    logicalDate: isoDateWithOffset.optional(),
    note: z
      .string()
      .max(MAX_NOTE_LENGTH, `note is longer than ${MAX_NOTE_LENGTH} characters`)
      .refine(
        v => !CONTROL_CHARACTERS.test(v),
        'note may not contain control characters',
      )
      .optional(),
  })
  .strict();

const pauseBodySchema = z.object({ isPaused: z.boolean() }).strict();
const clearBodySchema = z
  .object({ onlyFailed: z.boolean().optional() })
  .strict();

const runsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    state: z
      .union([
        z.enum(DAG_RUN_STATES as [string, ...string[]]),
        z.array(z.enum(DAG_RUN_STATES as [string, ...string[]])),
      ])
      .optional(),
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues
      .map(i =>
        i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
      )
      .join('; ');
    throw new InputError(`Invalid ${what}: ${details}`);
  }
  return result.data;
}

/**
 * Creates the plugin's router, mounted at `/api/airflow`.
 *
 * Routes (all require a Backstage user token; entity-scoped ones answer 404
 * for an entity the caller cannot see or a DAG the entity does not name, 403
 * when the permission policy denies, 400 for bad input, 503 when Airflow is
 * down):
 * - `GET  /instances`
 * - `GET  /ownership` (every DAG with its catalog owners; `airflow.ownership.read`)
 * - `POST /ownership/refresh` (rebuild the ownership index unless it is younger than 30 s, then answer as `GET /ownership`)
 * - `GET  /entities/:kind/:namespace/:name/dags`
 * - `GET  /entities/:kind/:namespace/:name/dags/:instance/:dagId`
 * - `PATCH /entities/:kind/:namespace/:name/dags/:instance/:dagId` `{isPaused}`
 * - `GET  /entities/:kind/:namespace/:name/dags/:instance/:dagId/runs?limit&offset&state`
 * - `POST /entities/:kind/:namespace/:name/dags/:instance/:dagId/runs` `{conf?, logicalDate?, note?}`
 * - `GET  /entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId`
 * - `POST /entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId/clear` `{onlyFailed?}`
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  airflowService: AirflowService;
  ownershipService: Pick<
    OwnershipService,
    'authorizeView' | 'getOwnership' | 'refreshIfOlderThan'
  >;
}): Promise<express.Router> {
  const { httpAuth, airflowService, ownershipService } = options;
  const router = Router();
  router.use((req, _res, next) => {
    // A body that is not JSON would otherwise be ignored and the request run
    // with defaults (e.g. a clear of all tasks instead of only failed ones).
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('application/json')) {
      next(
        new InputError(
          `Request body must be JSON with Content-Type: application/json (got ${
            req.headers['content-type'] ?? 'no Content-Type'
          })`,
        ),
      );
      return;
    }
    next();
  });
  router.use(express.json({ limit: MAX_BODY_BYTES, strict: true }));

  const entityOf = async (req: express.Request) => {
    const params = parse(
      entityParamsSchema,
      {
        kind: req.params.kind,
        namespace: req.params.namespace,
        name: req.params.name,
      },
      'entity reference',
    );
    return {
      entityRef: {
        kind: params.kind.toLocaleLowerCase('en-US'),
        namespace: params.namespace.toLocaleLowerCase('en-US'),
        name: params.name,
      },
      credentials: await httpAuth.credentials(req, { allow: ['user'] }),
      request: req,
    };
  };

  const dagOf = async (
    req: express.Request,
  ): Promise<EntityDagRequestOptions> => ({
    ...(await entityOf(req)),
    instance: parse(instanceNameSchema, req.params.instance, 'instance name'),
    dagId: parse(dagIdSchema, req.params.dagId, 'DAG id'),
  });

  const base = '/entities/:kind/:namespace/:name';
  const dag = `${base}/dags/:instance/:dagId`;

  router.get('/instances', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    res.json({ instances: await airflowService.listInstances() });
  });

  router.get('/ownership', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await ownershipService.getOwnership(credentials));
  });

  router.post('/ownership/refresh', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    // Check the permission before doing the work.
    await ownershipService.authorizeView(credentials);
    await ownershipService.refreshIfOlderThan();
    res.json(await ownershipService.getOwnership(credentials));
  });

  router.get(`${base}/dags`, async (req, res) => {
    res.json(await airflowService.listEntityDags(await entityOf(req)));
  });

  router.get(dag, async (req, res) => {
    res.json(await airflowService.getDagDetails(await dagOf(req)));
  });

  router.patch(dag, async (req, res) => {
    const target = await dagOf(req);
    const body = parse(pauseBodySchema, req.body, 'request body');
    res.json(
      await airflowService.setDagPaused({ ...target, isPaused: body.isPaused }),
    );
  });

  router.get(`${dag}/runs`, async (req, res) => {
    const target = await dagOf(req);
    const query = parse(runsQuerySchema, req.query, 'query');
    const states =
      query.state === undefined
        ? undefined
        : ([] as string[]).concat(query.state);
    res.json(
      await airflowService.listDagRuns({
        ...target,
        limit: query.limit,
        offset: query.offset,
        states: states as any,
      }),
    );
  });

  router.post(`${dag}/runs`, async (req, res) => {
    const target = await dagOf(req);
    const body = parse(triggerBodySchema, req.body ?? {}, 'request body');
    const run = await airflowService.triggerDagRun({
      ...target,
      conf: body.conf ?? {},
      logicalDate: body.logicalDate,
      note: body.note,
    });
    res.status(201).json(run);
  });

  router.get(`${dag}/runs/:runId`, async (req, res) => {
    const target = await dagOf(req);
    const runId = parse(runIdSchema, req.params.runId, 'run id');
    res.json(await airflowService.getDagRun({ ...target, runId }));
  });

  router.post(`${dag}/runs/:runId/clear`, async (req, res) => {
    const target = await dagOf(req);
    const runId = parse(runIdSchema, req.params.runId, 'run id');
    const body = parse(clearBodySchema, req.body ?? {}, 'request body');
    res.json(
      await airflowService.clearDagRun({
        ...target,
        runId,
        onlyFailed: body.onlyFailed ?? false,
      }),
    );
  });

  return router;
}
