/*
 * A reference route for the benchmark suite (packages/bench), loaded only
 * when BENCH_REFERENCE_PLUGIN=1: the least a Backstage plugin route can do
 * while asking one permission decision per request. It authenticates the
 * user, asks `airflow.dag.read` on the entity named by `?entityRef=` and
 * answers the decision (padded to `?bytes=` characters of JSON, built once
 * per size, to stand for an answer the size of an entity page's), so the
 * suite can show what the framework itself reaches under P5's load, next to
 * the Airflow plugin's cached reads.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { airflowDagReadPermission } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** Padding of each answer size, built once. */
const paddings = new Map<number, string>();
const padding = (bytes: number) => {
  let pad = paddings.get(bytes);
  if (pad === undefined) {
    pad = 'x'.repeat(bytes);
    if (paddings.size < 16) paddings.set(bytes, pad);
  }
  return pad;
};

export default createBackendPlugin({
  pluginId: 'bench-reference',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
      },
      async init({ httpRouter, httpAuth, permissions }) {
        httpRouter.use(
          async (
            req: IncomingMessage,
            res: ServerResponse,
            next: (error?: unknown) => void,
          ) => {
            try {
              const url = new URL(req.url ?? '/', 'http://localhost');
              if (req.method !== 'GET' || url.pathname !== '/decision') {
                next();
                return;
              }
              const entityRef = url.searchParams.get('entityRef');
              if (!entityRef) throw new InputError('entityRef is required');
              const bytes = Number(url.searchParams.get('bytes') ?? 0);
              if (!Number.isInteger(bytes) || bytes < 0 || bytes > 1_000_000) {
                throw new InputError('bytes must be an integer 0..1000000');
              }
              const credentials = await httpAuth.credentials(req as never, {
                allow: ['user'],
              });
              const [decision] = await permissions.authorize(
                [
                  {
                    permission: airflowDagReadPermission,
                    resourceRef: entityRef,
                  },
                ],
                { credentials },
              );
              res.setHeader('content-type', 'application/json');
              res.end(
                JSON.stringify({
                  result: decision.result,
                  pad: padding(bytes),
                }),
              );
            } catch (error) {
              next(error);
            }
          },
        );
      },
    });
  },
});
