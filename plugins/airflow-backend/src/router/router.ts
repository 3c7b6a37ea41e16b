import type {
  AuditorService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  checkRunConf,
  type AirflowOwnershipQuery,
  GRID_RUNS_DEFAULT,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import express from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter, spec } from '../schema/openapi';
import type {
  SetDagPaused,
  SetDagRunState,
  SetTaskInstanceState,
} from '../schema/openapi/generated/apis';
import { auditRefused, type AuditEventStarter } from '../service/audit';
import type {
  AirflowService,
  EntityDagRequestOptions,
  EntityDagRunRequestOptions,
  EntityTaskInstanceRequestOptions,
} from '../service/AirflowService';
import type { OwnershipService } from '../service/OwnershipService';
import {
  OWNERSHIP_CSV_FILENAME,
  writeOwnershipCsv,
} from '../service/ownership/csv';
import {
  jsonBody,
  methodNotAllowed,
  readableValidationErrors,
  requireJsonBody,
  strictIntegers,
} from './middleware';
import { SpecIndex } from './spec';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  airflowService: AirflowService;
  ownershipService: OwnershipService;
  /**
   * Whether every answer is checked against its schema in the OpenAPI spec
   * before it is sent (a mismatch answers 500 and is logged). Default true;
   * the plugin passes `airflow.validateResponses`.
   */
  validateResponses?: boolean;
}

/** Path parameters of the DAG-scoped routes. */
interface DagParams {
  kind: string;
  namespace: string;
  name: string;
  instance: string;
  dagId: string;
}

/** A query flag: the validator coerces it, but keep a literal `true` or `"true"` either way. */
const flagOf = (value: unknown): boolean | undefined =>
  value === undefined ? undefined : value === true || value === 'true';
const intOf = (value: unknown): number | undefined =>
  value === undefined ? undefined : Number(value);

/** The ownership filters of a validated query. */
function ownershipQueryOf(query: {
  q?: string;
  instance?: string;
  owner?: string;
  mine?: boolean;
  includeChildGroups?: boolean;
  owned?: boolean;
  orphans?: boolean;
  failing?: boolean;
  paused?: boolean;
}): AirflowOwnershipQuery {
  return {
    q: query.q,
    instance: query.instance,
    owner: query.owner,
    mine: flagOf(query.mine),
    includeChildGroups: flagOf(query.includeChildGroups),
    owned: flagOf(query.owned),
    orphans: flagOf(query.orphans),
    failing: flagOf(query.failing),
    paused: flagOf(query.paused),
  };
}

/** Path parameters of the run-scoped routes. */
interface RunParams extends DagParams {
  runId: string;
}

/** Path parameters of the task-instance-scoped routes. */
interface TaskParams extends RunParams {
  taskId: string;
}

const DAG_PATH = '/entities/{kind}/{namespace}/{name}/dags/{instance}/{dagId}';
const RUN_PATH = `${DAG_PATH}/runs/{runId}`;
const TASK_PATH = `${RUN_PATH}/taskInstances/{taskId}`;

/**
 * The audit event of each write, by method and spec path: the router audits
 * a write refused before its handler ran (invalid input, no valid token)
 * under the same event id as its service would.
 */
const WRITE_EVENTS: Record<string, (body: any) => string> = {
  [`patch ${DAG_PATH}`]: body =>
    body?.isPaused === false ? 'dag-unpause' : 'dag-pause',
  [`post ${DAG_PATH}/runs`]: () => 'dag-trigger',
  [`post ${RUN_PATH}/clear`]: () => 'dag-run-clear',
  [`patch ${RUN_PATH}`]: () => 'dag-run-set-state',
  [`patch ${TASK_PATH}`]: () => 'task-instance-set-state',
  [`post ${TASK_PATH}/clear`]: () => 'task-instance-clear',
};

/** Longest request path recorded in the audit event of a refused write. */
const AUDITED_PATH_MAX = 500;

/** Kind and namespace of entity refs compare case-insensitively. */
function entityRefOf(params: {
  kind: string;
  namespace: string;
  name: string;
}): CompoundEntityRef {
  return {
    kind: params.kind.toLocaleLowerCase('en-US'),
    namespace: params.namespace.toLocaleLowerCase('en-US'),
    name: params.name,
  };
}

/**
 * Creates the plugin's router, mounted at `/api/airflow`: the typed router
 * generated from `src/schema/openapi.yaml`, which validates every request
 * (path, query, body: a request the spec does not allow is a 400 naming the
 * field, before any handler runs) and every response against the spec.
 * In front of it: 405 for methods the spec does not declare on a path, 400
 * for bodies that are not JSON, 413 for bodies over 64 KiB.
 *
 * Handlers only take the caller's credentials, check what the spec cannot
 * express, and hand over to the services; the services check permissions.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, auditor, airflowService, ownershipService } = options;

  const api = await createOpenApiRouter({
    // The body is already parsed (and size-checked) in front of the validator.
    middleware: [(_req, _res, next) => next()],
    // Credentials are checked by httpAuth (401), not by the validator (which would answer 400).
    validatorOptions: {
      validateResponses: options.validateResponses ?? true,
      validateSecurity: false,
    },
  });

  const user = (req: express.Request<any, any, any, any>) =>
    httpAuth.credentials(req, { allow: ['user'] });
  /** The entity, the caller and the DAG of a DAG-scoped route. */
  const dagOf = async (
    req: express.Request<DagParams, any, any, any>,
  ): Promise<EntityDagRequestOptions> => ({
    entityRef: entityRefOf(req.params),
    credentials: await user(req),
    instance: req.params.instance,
    dagId: req.params.dagId,
  });
  /** The audit event starter of a request; marks the request audited. */
  const auditOf =
    (req: express.Request<any, any, any, any>): AuditEventStarter =>
    event => {
      req.res!.locals.airflowAudited = true;
      return auditor.createEvent({ ...event, request: req });
    };
  const runOf = async (
    req: express.Request<RunParams, any, any, any>,
  ): Promise<EntityDagRunRequestOptions> => ({
    ...(await dagOf(req)),
    runId: req.params.runId,
  });
  const taskOf = async (
    req: express.Request<TaskParams, any, any, { mapIndex?: number }>,
  ): Promise<EntityTaskInstanceRequestOptions> => ({
    ...(await runOf(req)),
    taskId: req.params.taskId,
    mapIndex: req.query.mapIndex ?? -1,
  });

  api.get('/instances', async (req, res) => {
    await user(req);
    res.json({ instances: await airflowService.listInstances() });
  });

  api.get('/ownership', async (req, res) => {
    const { sort, order, limit, offset, ...filters } = req.query;
    res.json(
      await ownershipService.getPage(
        await user(req),
        ownershipQueryOf(filters),
        { sort, order },
        { limit: intOf(limit), offset: intOf(offset) },
      ),
    );
  });

  api.get('/ownership/dangling', async (req, res) => {
    const { limit, offset, ...filters } = req.query;
    res.json(
      await ownershipService.getDangling(
        await user(req),
        ownershipQueryOf(filters),
        { limit: intOf(limit), offset: intOf(offset) },
      ),
    );
  });

  api.get('/ownership/export', async (req, res) => {
    const { sort, order, ...filters } = req.query;
    const dags = await ownershipService.exportDags(
      await user(req),
      ownershipQueryOf(filters),
      { sort, order },
    );
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${OWNERSHIP_CSV_FILENAME}"`,
    );
    res.setHeader('Cache-Control', 'no-store');
    // Streamed: a failure midway ends the response (the status is already sent).
    await writeOwnershipCsv(dags, res);
  });

  api.post('/ownership/refresh', async (req, res) => {
    const credentials = await user(req);
    // Check the permission before doing the work.
    await ownershipService.authorizeView(credentials);
    res.json(await ownershipService.refreshIfOlderThan());
  });

  api.get('/entities/:kind/:namespace/:name/dags', async (req, res) => {
    res.json(
      await airflowService.listEntityDags({
        entityRef: entityRefOf(req.params),
        credentials: await user(req),
      }),
    );
  });

  const dag = '/entities/:kind/:namespace/:name/dags/:instance/:dagId';

  api.get(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId',
    async (req, res) => {
      res.json(
        await airflowService.getDagDetails({
          ...(await dagOf(req)),
        }),
      );
    },
  );

  // The generated typed router has no `patch`: typed by hand from the generated endpoint type.
  api.patch(
    dag,
    async (
      req: express.Request<
        SetDagPaused['path'],
        SetDagPaused['response'],
        SetDagPaused['body']
      >,
      res: express.Response<SetDagPaused['response']>,
    ) => {
      res.json(
        await airflowService.setDagPaused({
          ...(await dagOf(req)),
          audit: auditOf(req),
          isPaused: req.body.isPaused,
        }),
      );
    },
  );

  api.get(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs',
    async (req, res) => {
      const { limit = 25, offset = 0, state } = req.query;
      res.json(
        await airflowService.listDagRuns({
          ...(await dagOf(req)),
          limit,
          offset,
          states: state === undefined ? undefined : [state].flat(),
        }),
      );
    },
  );

  api.post(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs',
    async (req, res) => {
      const body = req.body ?? {};
      const conf = body.conf ?? {};
      const confProblem = checkRunConf(conf);
      if (confProblem) {
        throw new InputError(`Invalid request body: conf: ${confProblem}`);
      }
      const run = await airflowService.triggerDagRun({
        ...(await dagOf(req)),
        audit: auditOf(req),
        conf,
        // The generator types date-times as Date; on the wire it is the validated string.
        logicalDate: body.logicalDate as unknown as string | undefined,
        runId: body.runId,
        note: body.note,
      });
      res.status(201).json(run);
    },
  );

  api.get(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId',
    async (req, res) => {
      res.json(
        await airflowService.getDagRun({
          ...(await dagOf(req)),
          runId: req.params.runId,
        }),
      );
    },
  );

  api.post(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId/clear',
    async (req, res) => {
      res.json(
        await airflowService.clearDagRun({
          ...(await dagOf(req)),
          audit: auditOf(req),
          runId: req.params.runId,
          onlyFailed: req.body?.onlyFailed ?? false,
        }),
      );
    },
  );

  // The generated typed router has no `patch`: typed by hand from the generated endpoint types.
  api.patch(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId',
    async (
      req: express.Request<
        SetDagRunState['path'],
        SetDagRunState['response'],
        SetDagRunState['body']
      >,
      res: express.Response<SetDagRunState['response']>,
    ) => {
      res.json(
        await airflowService.setDagRunState({
          ...(await runOf(req)),
          audit: auditOf(req),
          state: req.body.state,
        }),
      );
    },
  );

  api.get(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/grid',
    async (req, res) => {
      res.json(
        await airflowService.getDagGrid({
          ...(await dagOf(req)),
          limit: req.query.limit ?? GRID_RUNS_DEFAULT,
        }),
      );
    },
  );

  api.get(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId/failure',
    async (req, res) => {
      res.json(await airflowService.getDagRunFailure(await runOf(req)));
    },
  );

  api.get(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId/taskInstances/:taskId',
    async (req, res) => {
      res.json(await airflowService.getTaskInstance(await taskOf(req)));
    },
  );

  api.patch(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId/taskInstances/:taskId',
    async (
      req: express.Request<
        SetTaskInstanceState['path'],
        SetTaskInstanceState['response'],
        SetTaskInstanceState['body'],
        SetTaskInstanceState['query']
      >,
      res: express.Response<SetTaskInstanceState['response']>,
    ) => {
      res.json(
        await airflowService.setTaskInstanceState({
          ...(await taskOf(req)),
          audit: auditOf(req),
          state: req.body.state,
          includeUpstream: req.body.includeUpstream ?? false,
          includeDownstream: req.body.includeDownstream ?? false,
        }),
      );
    },
  );

  api.post(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId/taskInstances/:taskId/clear',
    async (req, res) => {
      res.json(
        await airflowService.clearTaskInstance({
          ...(await taskOf(req)),
          audit: auditOf(req),
          dryRun: req.body.dryRun,
          onlyFailed: req.body.onlyFailed ?? false,
          includeUpstream: req.body.includeUpstream ?? false,
          includeDownstream: req.body.includeDownstream ?? false,
        }),
      );
    },
  );

  api.get(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId/taskInstances/:taskId/tries',
    async (req, res) => {
      res.json(await airflowService.listTaskInstanceTries(await taskOf(req)));
    },
  );

  api.get(
    '/entities/:kind/:namespace/:name/dags/:instance/:dagId/runs/:runId/taskInstances/:taskId/logs/:tryNumber',
    async (req, res) => {
      const { token, offset = 0, tail } = req.query;
      res.json(
        await airflowService.getTaskLog({
          ...(await taskOf(req)),
          // Validated as an integer; express hands path parameters over as strings.
          tryNumber: Number(req.params.tryNumber),
          token,
          offset,
          tail,
        }),
      );
    },
  );

  const index = new SpecIndex(spec);

  /**
   * Audits a write that was refused before its handler audited it (invalid
   * input found by the validator or the body parsers, no valid token), then
   * passes the error on unchanged.
   */
  const auditRefusedWrites: express.ErrorRequestHandler = (
    error,
    req,
    res,
    next,
  ) => {
    const route = index.route(req.path);
    const eventIdOf =
      route && WRITE_EVENTS[`${req.method.toLowerCase()} ${route.path}`];
    if (!eventIdOf || res.locals.airflowAudited || !(error instanceof Error)) {
      next(error);
      return;
    }
    const values = index.pathValues(route, req.path);
    const decode = (v?: string) => {
      try {
        return v === undefined ? undefined : decodeURIComponent(v);
      } catch {
        return v;
      }
    };
    const meta: Record<string, string> = {
      path: req.path.slice(0, AUDITED_PATH_MAX),
    };
    for (const name of ['instance', 'dagId', 'runId', 'taskId']) {
      const value = decode(values[name]);
      if (value !== undefined) meta[name] = value.slice(0, AUDITED_PATH_MAX);
    }
    if (values.kind && values.namespace && values.name) {
      meta.entityRef = `${decode(values.kind)}:${decode(
        values.namespace,
      )}/${decode(values.name)}`.slice(0, AUDITED_PATH_MAX);
    }
    const event = { eventId: eventIdOf(req.body), meta };
    auditRefused(
      ev => auditor.createEvent({ ...ev, request: req }),
      event,
      error,
    )
      .catch(() =>
        // The caller's token could not be read (that may be why the write
        // was refused): record the attempt without an actor.
        auditRefused(
          ev =>
            auditor.createEvent({
              ...ev,
              meta: { ...ev.meta, actor: 'unauthenticated' },
            }),
          event,
          error,
        ),
      )
      .catch(() => undefined)
      .finally(() => next(error));
  };

  const router = Router();
  router.use(methodNotAllowed(index));
  router.use(requireJsonBody);
  router.use(jsonBody);
  router.use(strictIntegers(index));
  router.use(api);
  router.use(readableValidationErrors(index));
  router.use(auditRefusedWrites);
  return router;
}
