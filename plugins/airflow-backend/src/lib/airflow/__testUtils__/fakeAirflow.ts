/**
 * Helpers for tests that talk to a fake Airflow through msw.
 */
import fs from 'node:fs';
import path from 'node:path';
import { http, HttpResponse, type HttpResponseResolver } from 'msw';
import { mockServices } from '@backstage/backend-test-utils';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AirflowInstanceConfig } from '../types';

/** Base URL of the fake Airflow (intercepted by msw, never resolved). */
export const AIRFLOW_BASE = 'http://airflow.test';

const FIXTURE_DIR = path.resolve(__dirname, '../__fixtures__');

/** A fresh deep copy of a JSON fixture, e.g. `fixture('v2/dag.json')`. */
export function fixture(relativePath: string): any {
  return JSON.parse(
    fs.readFileSync(path.join(FIXTURE_DIR, relativePath), 'utf8'),
  );
}

/** An instance config pointing at the fake Airflow. */
export function instanceConfig(
  overrides: Partial<AirflowInstanceConfig> = {},
): AirflowInstanceConfig {
  return {
    name: 'test-airflow',
    baseUrl: AIRFLOW_BASE,
    webUiUrl: 'https://airflow.example.com',
    apiVersion: 'auto',
    auth: { type: 'none' },
    timeoutMs: 5000,
    ...overrides,
  };
}

/** A silent logger. */
export function testLogger(): LoggerService {
  return mockServices.rootLogger({ level: 'none' });
}

/** An unsigned JWT with the given claims (Airflow's signature is never checked by the client). */
export function makeJwt(claims: Record<string, unknown>): string {
  const enc = (value: unknown) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${enc({ alg: 'HS512', typ: 'JWT' })}.${enc(claims)}.c2lnbmF0dXJl`;
}

/** One request as the fake Airflow saw it. */
export interface RecordedCall {
  method: string;
  /** The raw URL, exactly as sent (percent-encoding untouched). */
  url: string;
  /** Raw path and query below the host. */
  pathAndQuery: string;
  headers: Record<string, string>;
  /** Parsed JSON body, or the text, or undefined when empty. */
  body: any;
}

/** Records every request that reaches a handler wrapped with {@link CallLog.handle}. */
export class CallLog {
  readonly calls: RecordedCall[] = [];

  async record(request: Request): Promise<void> {
    const text = await request.clone().text();
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const url = request.url;
    const { pathname, search } = new URL(url);
    this.calls.push({
      method: request.method,
      url,
      pathAndQuery: pathname + search,
      headers: Object.fromEntries(request.headers.entries()),
      body,
    });
  }

  /** An msw handler for `method path` (below {@link AIRFLOW_BASE}) that records each call. */
  handle(
    method: 'get' | 'post' | 'patch',
    pathPattern: string,
    resolver: HttpResponseResolver,
  ) {
    return http[method](`${AIRFLOW_BASE}${pathPattern}`, async info => {
      await this.record(info.request);
      return resolver(info);
    });
  }

  /** Calls whose path (without query) matches. */
  to(pathPrefix: string, method?: string): RecordedCall[] {
    return this.calls.filter(
      c =>
        c.pathAndQuery.split('?')[0] === pathPrefix &&
        (method === undefined || c.method === method),
    );
  }
}

/** `GET /api/{v}/version` answering the given version's fixture. */
export function versionHandlers(version: 'v1' | 'v2', log?: CallLog) {
  const v2 = (resolver: HttpResponseResolver) =>
    log
      ? log.handle('get', '/api/v2/version', resolver)
      : http.get(`${AIRFLOW_BASE}/api/v2/version`, resolver);
  const v1 = (resolver: HttpResponseResolver) =>
    log
      ? log.handle('get', '/api/v1/version', resolver)
      : http.get(`${AIRFLOW_BASE}/api/v1/version`, resolver);
  if (version === 'v2') {
    return [
      v2(() => HttpResponse.json(fixture('v2/version.json'))),
      v1(() =>
        HttpResponse.json(
          {
            error:
              '/api/v1 has been removed in Airflow 3, please use its upgraded version /api/v2 instead.',
          },
          { status: 404 },
        ),
      ),
    ];
  }
  return [
    v2(
      () =>
        new HttpResponse(
          '<!DOCTYPE html><html><head><title>Airflow 404 = lots of circles</title></head></html>',
          {
            status: 404,
            headers: { 'Content-Type': 'text/html' },
          },
        ),
    ),
    v1(() => HttpResponse.json(fixture('v1/version.json'))),
  ];
}

/** `count` DAG payloads of the given API version, ids `dag_000`, `dag_001`, ... */
export function fakeDags(version: 'v1' | 'v2', count: number): any[] {
  const template = fixture(`${version}/dag.json`);
  return Array.from({ length: count }, (_, i) => {
    const dagId = `dag_${String(i).padStart(3, '0')}`;
    const dag = {
      ...template,
      dag_id: dagId,
      dag_display_name: dagId,
      fileloc: `/opt/airflow/dags/${dagId}.py`,
    };
    if (version === 'v2') {
      dag.tags = template.tags.map((t: any) => ({
        ...t,
        dag_id: dagId,
        dag_display_name: dagId,
      }));
      dag.relative_fileloc = `${dagId}.py`;
    }
    return dag;
  });
}

/**
 * `GET /api/{v}/dags` over `dags`, honouring `limit`/`offset` but never
 * returning more than `cap` items (Airflow's `maximum_page_limit`).
 */
export function pagedDagsHandler(
  log: CallLog,
  version: 'v1' | 'v2',
  dags: any[],
  options: {
    cap: number;
    totalEntries?: boolean;
    delayMs?: number;
    /** Counts requests in flight; `max` is the highest count seen. */
    inFlight?: { current: number; max: number };
  } = { cap: 100 },
) {
  return log.handle('get', `/api/${version}/dags`, async ({ request }) => {
    const params = new URL(request.url).searchParams;
    const limit = Math.min(
      Number(params.get('limit') ?? (version === 'v2' ? 50 : 100)),
      options.cap,
    );
    const offset = Number(params.get('offset') ?? 0);
    const tracker = options.inFlight;
    if (tracker) {
      tracker.current++;
      tracker.max = Math.max(tracker.max, tracker.current);
    }
    if (options.delayMs) {
      await new Promise(resolve => setTimeout(resolve, options.delayMs));
    }
    if (tracker) {
      tracker.current--;
    }
    const page = dags.slice(offset, offset + limit);
    return HttpResponse.json(
      options.totalEntries === false
        ? { dags: page }
        : { dags: page, total_entries: dags.length },
    );
  });
}
