import type {
  AuditorService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  checkRunConf,
  type AirflowOwnershipQuery,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import express from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter, spec } from '../schema/openapi';
import type { SetDagPaused } from '../schema/openapi/generated/apis';
import type { AuditEventStarter } from '../service/audit';
import type {
  AirflowService,
  EntityDagRequestOptions,
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
} from './middleware';
import { SpecIndex } from './spec';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  airflowService: AirflowService;
  ownershipService: OwnershipService;
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
    validatorOptions: { validateResponses: true, validateSecurity: false },
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
  const auditOf =
    (req: express.Request<any, any, any, any>): AuditEventStarter =>
    event =>
      auditor.createEvent({ ...event, request: req });

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

  const index = new SpecIndex(spec);
  const router = Router();
  router.use(methodNotAllowed(index));
  router.use(requireJsonBody);
  router.use(jsonBody);
  router.use(api);
  router.use(readableValidationErrors(index));
  return router;
}
