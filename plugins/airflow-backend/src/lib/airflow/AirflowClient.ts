import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  LOG_LINE_MAX_CHARS,
  LOG_PAGE_MAX_BYTES,
  RUN_ID_MAX_LENGTH,
  RUN_ID_PATTERN,
  type AirflowApiVersion,
  type AirflowDag,
  type AirflowDagDetails,
  type AirflowDagRun,
  type AirflowDagRunList,
  type AirflowInstanceStatus,
  type AirflowTaskInstance,
  type AirflowTaskInstancesChange,
  type AirflowTaskInstanceTries,
  type AirflowTaskLog,
  type AirflowTaskInstanceTry,
  type JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import {
  LogPageBuilder,
  LogSourceHeader,
  structuredLogLine,
  TextLogParser,
} from './logs';
import { newStreamStats, readJsonLogBody, readLines } from './logStream';
import {
  AirflowSession,
  type AirflowSessionOptions,
  type Query,
} from './AirflowSession';
import { type AirflowAuthProvider, builtInAuthProvider } from './auth';
import { normalizeLogicalDate, nowWithMicroseconds } from './dates';
import { type AirflowDialect, hasFeature } from './dialects';
import {
  AirflowAnswerLostError,
  AirflowAuthenticationError,
  AirflowNotSupportedError,
  AirflowOutcomeUnknownError,
  readAirflowMessage,
} from './errors';
import {
  type AirflowMappingContext,
  mapDag,
  mapDagDetails,
  mapDagRun,
  mapHealth,
  mapTaskInstance,
  mapTaskInstanceRef,
  mapTaskInstanceTry,
  tryOfTaskInstance,
} from './mappers';
import { encodePath } from './paths';
import { LIST_CONCURRENCY, MAX_PAGE_SIZE, paginate } from './pagination';
import {
  isPlainObject,
  type RawDag,
  type RawDagDetails,
  type RawDagRun,
  type RawHealth,
  type RawPage,
  type RawTaskInstance,
  type RawTaskInstanceRef,
} from './raw';
import type {
  AirflowClient,
  AirflowInstanceConfig,
  ClearTaskInstanceOptions,
  ListDagRunsOptions,
  ListDagsOptions,
  ReadTaskLogOptions,
  SetTaskInstanceStateOptions,
  TriggerDagRunOptions,
} from './types';

/** Longest time one log read may take in all (a 50 MB log at a few MB/s). */
export const LOG_READ_MAX_MS = 120_000;

/** Task instance states in which a try's log may still grow (Airflow's own `end_of_log` rule). */
const LOG_GROWING_STATES = new Set(['running', 'deferred']);

/** The path of a task instance, mapped (`…/{task_id}/{map_index}`) or not. */
function taskInstancePath(
  dagId: string,
  runId: string,
  taskId: string,
  mapIndex: number,
): string {
  return mapIndex >= 0
    ? encodePath`/dags/${dagId}/dagRuns/${runId}/taskInstances/${taskId}/${String(
        mapIndex,
      )}`
    : encodePath`/dags/${dagId}/dagRuns/${runId}/taskInstances/${taskId}`;
}

/** Task instance refs of an answer: `{task_instances: [...]}` or one reference object. */
function refsOf(body: unknown) {
  if (isPlainObject(body) && Array.isArray(body.task_instances)) {
    return (body.task_instances as RawTaskInstanceRef[])
      .filter(isPlainObject)
      .map(mapTaskInstanceRef);
  }
  if (isPlainObject(body) && typeof body.task_id === 'string') {
    return [mapTaskInstanceRef(body as RawTaskInstanceRef)];
  }
  return [];
}

/** DAG ids per batch request body. */
export const BATCH_MAX_DAG_IDS = 100;
/**
 * Largest `page_limit` of a batch runs body. Airflow 2.10–3.3 do not clamp
 * the page size of `POST …/dagRuns/list` bodies (they do clamp query
 * `limit`s to 100), so the latest runs of 100 DAGs usually come in one call;
 * a server that clamps is paged on by offset within the same bound of calls.
 */
export const BATCH_RUNS_PAGE_LIMIT = 1000;
/** Longest `dag_id_pattern` value of one request, in characters (URLs stay far below server limits). */
export const MAX_DAG_ID_PATTERN_LENGTH = 2000;
/** Reads of single DAGs (`GET /dags/{dag_id}`) in flight at once, where Airflow cannot list DAGs by ids. */
export const DAG_READ_CONCURRENCY = 8;
/** Pages of the first round of {@link DefaultAirflowClient.listRecentDagRuns}, per chunk of DAG ids. */
export const RECENT_RUNS_ROUND1_MAX_PAGES = 2;
/** Pages of the second round of {@link DefaultAirflowClient.listRecentDagRuns}, per chunk of DAG ids. */
export const RECENT_RUNS_ROUND2_MAX_PAGES = 2;

/** DAG ids grouped so that each group joined with `|` stays under {@link MAX_DAG_ID_PATTERN_LENGTH}. */
function patternChunks(ids: readonly string[]): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const id of ids) {
    if (
      current.length > 0 &&
      length + 1 + id.length > MAX_DAG_ID_PATTERN_LENGTH
    ) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    length += (current.length ? 1 : 0) + id.length;
    current.push(id);
  }
  if (current.length) chunks.push(current);
  return chunks;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/** A run id that is unique per trigger and matches Airflow's default run id pattern ({@link RUN_ID_PATTERN}). */
export function generateRunId(now: number = Date.now()): string {
  return `backstage__${new Date(now).toISOString()}__${randomBytes(4).toString(
    'hex',
  )}`;
}

/**
 * A trigger refused because the DAG already has a run with that run id or
 * logical date: a `ConflictError` (409) that carries the existing run, which
 * the error body of the API repeats as `error.existingRun`.
 */
export class DagRunExistsError extends ConflictError {
  /** The run that has the run id or logical date already. */
  readonly existingRun: AirflowDagRun;

  constructor(message: string, existingRun: AirflowDagRun) {
    super(message);
    this.existingRun = existingRun;
  }
}

/** Options of {@link DefaultAirflowClient.create}. */
export interface DefaultAirflowClientOptions {
  /** The validated instance config. */
  config: AirflowInstanceConfig;
  /** Logger; the client adds the instance name to every entry. */
  logger: LoggerService;
  /** Creates the instance's auth provider (default: the built-in one of `config.auth`). */
  createAuthProvider?: AirflowSessionOptions['createAuthProvider'];
}

/**
 * {@link AirflowClient} for one Airflow instance: the endpoint methods. The
 * {@link AirflowSession} sends (auth, API version, errors), the dialect says
 * what differs between `/api/v1` and `/api/v2`, the mappers normalize.
 *
 * - Listings follow `total_entries` with pages of at most 100 items, whatever
 *   page size the server honours.
 * - Every id is encoded as exactly one path segment; query values are encoded.
 * - Errors are typed `@backstage/errors` (see `errors.ts` for the table).
 */
export class DefaultAirflowClient implements AirflowClient {
  #config: AirflowInstanceConfig;
  readonly #session: AirflowSession;

  /** Creates a client for one configured instance. */
  static create(options: DefaultAirflowClientOptions): DefaultAirflowClient {
    return new DefaultAirflowClient(options);
  }

  private constructor(options: DefaultAirflowClientOptions) {
    this.#config = options.config;
    this.#session = new AirflowSession(options);
  }

  get config(): AirflowInstanceConfig {
    return this.#config;
  }

  /** The instance's auth provider (tests and health checks read its state). */
  get authProvider(): AirflowAuthProvider {
    return this.#session.authProvider;
  }

  /**
   * Uses new credentials from now on (a config reload): `auth` as parsed
   * from the config, with the provider of an extension type.
   */
  replaceAuth(
    auth: AirflowInstanceConfig['auth'],
    createAuthProvider?: DefaultAirflowClientOptions['createAuthProvider'],
  ): void {
    this.#config = { ...this.#config, auth };
    this.#session.replaceAuthProvider(
      createAuthProvider ?? (context => builtInAuthProvider(auth, context)),
    );
  }

  getApiVersion(): Promise<AirflowApiVersion> {
    return this.#session.apiVersion();
  }

  async #context(): Promise<
    AirflowMappingContext & { dialect: AirflowDialect }
  > {
    const dialect = await this.#session.dialect();
    return {
      instance: this.config.name,
      webUiUrl: this.#session.webUiUrl,
      apiVersion: dialect.apiVersion,
      dialect,
    };
  }

  /** Every item of a paged collection at `path` (items under `itemsKey`). */
  #listAll<T>(path: string, itemsKey: string, query: Query = {}) {
    return paginate<T>(
      async offset => {
        const body = await this.#session.request<RawPage>({
          path,
          query: { ...query, limit: MAX_PAGE_SIZE, offset },
        });
        const items =
          isPlainObject(body) && Array.isArray(body[itemsKey])
            ? (body[itemsKey] as T[])
            : [];
        const total =
          isPlainObject(body) && typeof body.total_entries === 'number'
            ? body.total_entries
            : undefined;
        return { items, total };
      },
      {
        concurrency: LIST_CONCURRENCY,
        logger: this.#session.logger,
        what: path,
      },
    );
  }

  async getStatus(): Promise<AirflowInstanceStatus> {
    const base = { name: this.config.name, webUiUrl: this.#session.webUiUrl };
    const unreachable = (error: unknown): AirflowInstanceStatus => ({
      ...base,
      apiVersion: null,
      version: null,
      status: 'unreachable',
      components: {},
      error: error instanceof Error ? error.message : String(error),
    });
    let dialect: AirflowDialect;
    try {
      dialect = await this.#session.dialect();
    } catch (error) {
      return unreachable(error);
    }
    const [health, version] = await Promise.allSettled([
      this.#session.send('GET', dialect.healthPath),
      // v2 serves the version without auth; v1 wants credentials (never a login for a status check).
      this.#session.send('GET', dialect.versionPath, {
        credentials: this.#session.versionCredentials(dialect),
      }),
    ]);
    if (health.status === 'rejected') {
      return unreachable(health.reason);
    }
    const versionString =
      version.status === 'fulfilled' &&
      version.value.status === 200 &&
      isPlainObject(version.value.body) &&
      typeof version.value.body.version === 'string'
        ? version.value.body.version
        : null;
    const res = health.value;
    if (res.status !== 200 || !isPlainObject(res.body)) {
      return {
        ...base,
        apiVersion: dialect.apiVersion,
        version: versionString,
        status: 'unhealthy',
        components: {},
        error: `GET ${dialect.healthPath} answered ${
          res.status
        }: ${readAirflowMessage(
          res.body,
          res.text,
          res.status,
          res.statusText,
        )}`,
      };
    }
    const components = mapHealth(res.body as RawHealth);
    const reported = Object.values(components).filter(c => c.status !== null);
    const healthy =
      reported.length > 0 && reported.every(c => c.status === 'healthy');
    // Health needs no credentials: check ours with the cheapest read there is.
    try {
      await this.#session.request({ path: '/dags', query: { limit: 1 } });
    } catch (error) {
      if (error instanceof AirflowAuthenticationError) {
        return {
          ...base,
          apiVersion: dialect.apiVersion,
          version: versionString,
          status: 'authentication-failed',
          components,
          error: error.message,
        };
      }
    }
    return {
      ...base,
      apiVersion: dialect.apiVersion,
      version: versionString,
      status: healthy ? 'healthy' : 'unhealthy',
      components,
      ...(reported.length === 0
        ? { error: 'Airflow reported no component health' }
        : {}),
    };
  }

  /**
   * Every DAG (`GET /dags?order_by=dag_id`, v1 `only_active` and v2
   * `exclude_stale` left at their default `true`). `tags` filters with
   * Airflow's any-match (`tags=a&tags=b`); an empty `tags` array matches
   * nothing and makes no call. `includePaused: false` sends `paused=false`.
   */
  async listDags(options: ListDagsOptions = {}): Promise<AirflowDag[]> {
    if (options.tags && options.tags.length === 0) {
      return [];
    }
    const ctx = await this.#context();
    const raws = await this.#listAll<RawDag>('/dags', 'dags', {
      order_by: 'dag_id',
      tags: options.tags,
      paused: options.includePaused === false ? false : undefined,
    });
    const byId = new Map<string, AirflowDag>();
    for (const raw of raws) {
      if (raw && typeof raw.dag_id === 'string' && !byId.has(raw.dag_id)) {
        byId.set(raw.dag_id, mapDag(raw, ctx));
      }
    }
    return [...byId.values()];
  }

  async getDag(dagId: string): Promise<AirflowDag> {
    const ctx = await this.#context();
    const raw = await this.#session.request<RawDag>({
      path: encodePath`/dags/${dagId}`,
    });
    return mapDag(raw, ctx);
  }

  /**
   * The named DAGs (stale ones and ids Airflow lacks are left out), in the
   * order of `dagIds`, without listing the instance:
   * - Airflow 3.2+: `GET /dags?dag_id_pattern=a|b|…` (Airflow matches each
   *   alternative as a case-insensitive substring, so the answer is a superset
   *   that is filtered here), chunked to keep the pattern under
   *   {@link MAX_DAG_ID_PATTERN_LENGTH} characters, paged only until every id
   *   of the chunk is found: one call for up to about a hundred ids.
   * - Older versions (no alternatives in patterns): `GET /dags/{dag_id}` per
   *   id, {@link DAG_READ_CONCURRENCY} at a time (a 404 is a missing DAG).
   */
  async getDags(dagIds: string[]): Promise<AirflowDag[]> {
    const ids = [...new Set(dagIds)];
    if (ids.length === 0) return [];
    const ctx = await this.#context();
    const found = new Map<string, AirflowDag>();
    const keep = (raw: RawDag | undefined) => {
      if (raw && typeof raw.dag_id === 'string' && ids.includes(raw.dag_id)) {
        const dag = mapDag(raw, ctx);
        if (dag.isActive) found.set(dag.dagId, dag);
      }
    };
    const byPattern = hasFeature(
      ctx.dialect,
      await this.#session.serverVersion(),
      'dagIdPatternAlternatives',
    );
    const concurrency = pLimit(
      byPattern ? LIST_CONCURRENCY : DAG_READ_CONCURRENCY,
    );
    if (byPattern) {
      await Promise.all(
        patternChunks(ids).map(chunkIds =>
          concurrency(async () => {
            const wanted = new Set(chunkIds);
            for (let offset = 0; wanted.size > 0; ) {
              const page = await this.#session.request<RawPage>({
                path: '/dags',
                query: {
                  dag_id_pattern: chunkIds.join('|'),
                  order_by: 'dag_id',
                  limit: MAX_PAGE_SIZE,
                  offset,
                },
              });
              const raws = Array.isArray(page?.dags)
                ? (page.dags as RawDag[])
                : [];
              for (const raw of raws) {
                keep(raw);
                wanted.delete(raw?.dag_id);
              }
              offset += raws.length;
              const total =
                typeof page?.total_entries === 'number'
                  ? page.total_entries
                  : undefined;
              if (
                raws.length === 0 ||
                (total !== undefined && offset >= total)
              ) {
                break;
              }
            }
          }),
        ),
      );
    } else {
      await Promise.all(
        ids.map(dagId =>
          concurrency(async () => {
            try {
              keep(
                await this.#session.request<RawDag>({
                  path: encodePath`/dags/${dagId}`,
                }),
              );
            } catch (error) {
              if (!(error instanceof NotFoundError)) throw error;
            }
          }),
        ),
      );
    }
    return ids.flatMap(id => (found.has(id) ? [found.get(id)!] : []));
  }

  async getDagDetails(dagId: string): Promise<AirflowDagDetails> {
    const ctx = await this.#context();
    const raw = await this.#session.request<RawDagDetails>({
      path: encodePath`/dags/${dagId}/details`,
    });
    return mapDagDetails(raw, ctx);
  }

  /**
   * One page of runs, newest first (`order_by=-run_after` on v2,
   * `-execution_date` on v1); `limit` clamped to 1..100 (default 25),
   * `states` sent as repeated `state=`.
   */
  async listDagRuns(
    dagId: string,
    options: ListDagRunsOptions = {},
  ): Promise<AirflowDagRunList> {
    const ctx = await this.#context();
    const limit = Math.min(
      MAX_PAGE_SIZE,
      Math.max(1, Math.floor(options.limit ?? 25)),
    );
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const body = await this.#session.request<{
      dag_runs?: RawDagRun[];
      total_entries?: number;
    }>({
      path: encodePath`/dags/${dagId}/dagRuns`,
      query: {
        limit,
        offset,
        order_by: `-${ctx.dialect.runTimeField}`,
        state: options.states?.length ? options.states : undefined,
      },
    });
    const runs = Array.isArray(body?.dag_runs) ? body.dag_runs : [];
    const now = Date.now();
    return {
      items: runs.map(run => mapDagRun(run, ctx, now)),
      totalEntries:
        typeof body?.total_entries === 'number'
          ? body.total_entries
          : offset + runs.length,
    };
  }

  /**
   * The latest `perDag` (clamped to 1..100) runs of each DAG, newest first,
   * from the batch endpoint `POST /dags/~/dagRuns/list` (v2 body
   * `DAGRunsBatchBody`, v1 `ListDagRunsForm`; only keys both accept).
   *
   * DAG ids are deduplicated and split into chunks of
   * {@link BATCH_MAX_DAG_IDS}; chunks run with at most 4 in flight. Per chunk:
   * 1. Round 1 asks for the newest runs of all its DAGs
   *    (`page_limit = min(`{@link BATCH_RUNS_PAGE_LIMIT}`, 2 × ids × perDag)`),
   *    following pages while some DAG
   *    still lacks runs and entries remain, for at most
   *    {@link RECENT_RUNS_ROUND1_MAX_PAGES} pages.
   * 2. Round 2, only when round 1 did not exhaust the entries, asks for the DAGs
   *    that still have fewer than `perDag` runs, restricted to runs at or before
   *    the oldest one seen (`run_after_lte` / `execution_date_lte`), for at most
   *    {@link RECENT_RUNS_ROUND2_MAX_PAGES} pages.
   *
   * Bound: at most `ceil(ids / 100) × 4` requests, whatever the runs. The
   * price of the bound: a DAG whose latest runs are older than several
   * hundred newer runs of the other DAGs in the same request may show fewer
   * than `perDag` runs.
   */
  async listRecentDagRuns(
    dagIds: string[],
    perDag: number,
  ): Promise<Map<string, AirflowDagRun[]>> {
    const ids = [...new Set(dagIds)];
    const result = new Map<string, AirflowDagRun[]>(ids.map(id => [id, []]));
    const limit = Math.min(MAX_PAGE_SIZE, Math.floor(perDag));
    if (ids.length === 0 || !(limit >= 1)) {
      return result;
    }
    const ctx = await this.#context();
    const concurrency = pLimit(LIST_CONCURRENCY);
    const perChunk = await Promise.all(
      chunk(ids, BATCH_MAX_DAG_IDS).map(c =>
        concurrency(() => this.#recentRunsOfChunk(c, limit, ctx.dialect)),
      ),
    );
    const now = Date.now();
    for (const runs of perChunk) {
      for (const [dagId, raws] of runs) {
        result.set(
          dagId,
          raws.slice(0, limit).map(raw => mapDagRun(raw, ctx, now)),
        );
      }
    }
    return result;
  }

  async #recentRunsOfChunk(
    ids: string[],
    perDag: number,
    dialect: AirflowDialect,
  ): Promise<Map<string, RawDagRun[]>> {
    const orderKey = dialect.runTimeField;
    const collected = new Map<string, RawDagRun[]>(ids.map(id => [id, []]));
    const seen = new Set<string>();
    const lacksRuns = (id: string) =>
      (collected.get(id)?.length ?? perDag) < perDag;

    const round = async (
      roundIds: string[],
      maxPages: number,
      upTo?: string,
    ) => {
      // Room for twice the runs needed: DAGs that run more often than others
      // then rarely crowd the others out of the first page.
      const pageLimit = Math.min(
        BATCH_RUNS_PAGE_LIMIT,
        roundIds.length * perDag * 2,
      );
      let offset = 0;
      let oldest: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const body: JsonObject = {
          dag_ids: roundIds,
          order_by: `-${orderKey}`,
          page_limit: pageLimit,
          page_offset: offset,
        };
        if (upTo) {
          body[`${orderKey}_lte`] = upTo;
        }
        const res = await this.#session.request<{
          dag_runs?: RawDagRun[];
          total_entries?: number;
        }>({
          method: 'POST',
          path: '/dags/~/dagRuns/list',
          body,
        });
        const runs = Array.isArray(res?.dag_runs) ? res.dag_runs : [];
        for (const run of runs) {
          const key = `${run.dag_id}\u0000${run.dag_run_id}`;
          const list = collected.get(run.dag_id);
          if (list && !seen.has(key)) {
            seen.add(key);
            list.push(run);
          }
          oldest = dialect.runTime(run) ?? oldest;
        }
        offset += runs.length;
        const total =
          typeof res?.total_entries === 'number'
            ? res.total_entries
            : undefined;
        const exhausted =
          runs.length === 0 ||
          (total !== undefined ? offset >= total : runs.length < pageLimit);
        if (exhausted) {
          return { exhausted: true, oldest };
        }
        if (!roundIds.some(lacksRuns)) {
          break;
        }
      }
      return { exhausted: false, oldest };
    };

    const first = await round(ids, RECENT_RUNS_ROUND1_MAX_PAGES);
    const lagging = ids.filter(lacksRuns);
    if (!first.exhausted && lagging.length > 0 && first.oldest) {
      await round(lagging, RECENT_RUNS_ROUND2_MAX_PAGES, first.oldest);
    }
    return collected;
  }

  async getDagRun(dagId: string, runId: string): Promise<AirflowDagRun> {
    const ctx = await this.#context();
    const raw = await this.#session.request<RawDagRun>({
      path: encodePath`/dags/${dagId}/dagRuns/${runId}`,
    });
    return mapDagRun(raw, ctx);
  }

  async listTaskInstances(
    dagId: string,
    runId: string,
  ): Promise<AirflowTaskInstance[]> {
    const raws = await this.#listAll<RawTaskInstance>(
      encodePath`/dags/${dagId}/dagRuns/${runId}/taskInstances`,
      'task_instances',
    );
    const seen = new Set<string>();
    const out: AirflowTaskInstance[] = [];
    for (const raw of raws) {
      const ti = mapTaskInstance(raw);
      const key = `${ti.taskId}\u0000${ti.mapIndex}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(ti);
      }
    }
    return out;
  }

  /**
   * Triggers a run with only writable keys: `dag_run_id`, `logical_date`,
   * `conf` and (when given) `note` — never `execution_date`, and the
   * `logical_date` key is always present (Airflow 3 answers 422 without it).
   * A missing run id becomes `backstage__<ISO UTC>__<8 hex>`; a given one
   * must be non-empty and at most 250 characters (Airflow checks its own
   * pattern). The logical date (default now) must carry an offset and is sent
   * as UTC `…Z` with microseconds; `conf` must be a JSON object.
   *
   * A 409 is looked up in Airflow: the run with that run id or that logical
   * date becomes a {@link DagRunExistsError} naming it (Airflow 3 says only
   * "Unique constraint violation"); without one, a `ConflictError`.
   */
  async triggerDagRun(
    dagId: string,
    options: TriggerDagRunOptions,
  ): Promise<AirflowDagRun> {
    const conf: unknown = options.conf === undefined ? {} : options.conf;
    if (!isPlainObject(conf)) {
      throw new InputError('The run config (conf) must be a JSON object');
    }
    if (options.note !== undefined && typeof options.note !== 'string') {
      throw new InputError('The run note must be a string');
    }
    let runId = options.runId;
    if (runId !== undefined) {
      if (
        typeof runId !== 'string' ||
        !runId.trim() ||
        runId.length > RUN_ID_MAX_LENGTH
      ) {
        throw new InputError(
          `Invalid run id: expected 1 to ${RUN_ID_MAX_LENGTH} characters, e.g. matching ${RUN_ID_PATTERN.source}`,
        );
      }
    } else {
      runId = generateRunId();
    }
    const logicalDate =
      options.logicalDate === undefined
        ? nowWithMicroseconds()
        : normalizeLogicalDate(options.logicalDate);

    const ctx = await this.#context();
    const body: JsonObject = {
      dag_run_id: runId,
      logical_date: logicalDate,
      conf: conf as JsonObject,
    };
    if (options.note !== undefined) {
      body.note = options.note;
    }
    const createdRunId = runId;
    const where = `Airflow instance '${this.config.name}'`;
    const existing = () =>
      this.getDagRun(dagId, createdRunId).catch(error => {
        if ((error as Error)?.name === 'NotFoundError') return undefined;
        throw error;
      });
    try {
      return await this.#write(
        async () =>
          mapDagRun(
            await this.#session.request<RawDagRun>({
              method: 'POST',
              path: encodePath`/dags/${dagId}/dagRuns`,
              body,
            }),
            ctx,
          ),
        existing,
        `${where} may have created DAG run '${createdRunId}' of DAG '${dagId}' but its answer was lost and the run is not there (yet); trigger again with run id '${createdRunId}': that cannot create a second run`,
      );
    } catch (error) {
      // A retry of a trigger whose answer was lost: the same run id with the same conf is that run.
      if (
        options.runId !== undefined &&
        (error as Error)?.name === 'ConflictError'
      ) {
        const run = await existing().catch(() => undefined);
        if (run && isDeepStrictEqual(run.conf, conf)) return run;
      }
      if (error instanceof ConflictError) {
        throw await this.#conflictOf(dagId, error, {
          runId: options.runId,
          logicalDate,
        });
      }
      throw error;
    }
  }

  /**
   * Sends a write; when its answer is lost after Airflow may have acted
   * ({@link AirflowAnswerLostError}), reads the state back before answering:
   * `readBack` gives the end state when the write took effect, undefined when
   * it did not. Undefined (or a failing read) → {@link AirflowOutcomeUnknownError}
   * with `unknownMessage`; a write that surely was not sent fails as it is.
   */
  async #write<T>(
    send: () => Promise<T>,
    readBack: () => Promise<T | undefined>,
    unknownMessage: string,
  ): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof AirflowAnswerLostError)) throw error;
      let state: T | undefined;
      try {
        state = await readBack();
      } catch (readError) {
        throw new AirflowOutcomeUnknownError(
          `${unknownMessage} (${
            error.message
          }; reading the state back failed: ${(readError as Error).message})`,
        );
      }
      if (state === undefined) {
        throw new AirflowOutcomeUnknownError(
          `${unknownMessage} (${error.message})`,
        );
      }
      return state;
    }
  }

  /** The run a refused trigger collides with, as a {@link DagRunExistsError}; the conflict as it was when none is found. */
  async #conflictOf(
    dagId: string,
    conflict: ConflictError,
    wanted: { runId?: string; logicalDate: string },
  ): Promise<ConflictError> {
    const where = `Airflow instance '${this.config.name}'`;
    try {
      if (wanted.runId !== undefined) {
        const byId = await this.getDagRun(dagId, wanted.runId).catch(e => {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        });
        if (byId) {
          return new DagRunExistsError(
            `DAG '${dagId}' already has a DAG run with run id '${byId.runId}' (${where})`,
            byId,
          );
        }
      }
      const ctx = await this.#context();
      const page = await this.#session.request<{ dag_runs?: RawDagRun[] }>({
        path: encodePath`/dags/${dagId}/dagRuns`,
        query: {
          ...ctx.dialect.logicalDateQuery(wanted.logicalDate),
          limit: 1,
        },
      });
      const raw = Array.isArray(page?.dag_runs) ? page.dag_runs[0] : undefined;
      if (raw) {
        const byDate = mapDagRun(raw, ctx);
        return new DagRunExistsError(
          `DAG '${dagId}' already has a DAG run with logical date ${
            byDate.logicalDate ?? wanted.logicalDate
          }: '${byDate.runId}' (${where})`,
          byDate,
        );
      }
    } catch (error) {
      this.#session.logger.warn(
        `Could not look up the DAG run a trigger of '${dagId}' collides with`,
        { error: error instanceof Error ? error.message : String(error) },
      );
    }
    return conflict;
  }

  /** `PATCH /dags/{dag_id}?update_mask=is_paused` with exactly `{"is_paused": bool}`. */
  async setDagPaused(dagId: string, isPaused: boolean): Promise<AirflowDag> {
    const ctx = await this.#context();
    return this.#write(
      async () =>
        mapDag(
          await this.#session.request<RawDag>({
            method: 'PATCH',
            path: encodePath`/dags/${dagId}`,
            query: { update_mask: 'is_paused' },
            body: { is_paused: isPaused === true },
          }),
          ctx,
        ),
      async () => {
        const [dag] = await this.getDags([dagId]);
        return dag?.isPaused === (isPaused === true) ? dag : undefined;
      },
      `Airflow instance '${this.config.name}' lost its answer to ${
        isPaused ? 'pausing' : 'unpausing'
      } DAG '${dagId}', and the DAG is not ${isPaused ? 'paused' : 'unpaused'}`,
    );
  }

  /**
   * Clears a run for real (`dry_run: false`), all tasks or only failed ones
   * (the request is the dialect's), and returns the run as Airflow reports it
   * afterwards.
   */
  async clearDagRun(
    dagId: string,
    runId: string,
    options: { onlyFailed: boolean },
  ): Promise<AirflowDagRun> {
    const ctx = await this.#context();
    const request = ctx.dialect.clearRunRequest(
      dagId,
      runId,
      options?.onlyFailed === true,
    );
    return this.#write(
      async () => {
        const raw = await this.#session.request<unknown>({
          method: 'POST',
          path: request.path,
          body: request.body,
        });
        if (
          request.answersWithRun &&
          isPlainObject(raw) &&
          typeof raw.dag_run_id === 'string' &&
          typeof raw.dag_id === 'string'
        ) {
          return mapDagRun(raw as unknown as RawDagRun, ctx);
        }
        return this.getDagRun(dagId, runId);
      },
      async () => {
        // Cleared: the run is queued or running again.
        const run = await this.getDagRun(dagId, runId);
        return run.state === 'queued' || run.state === 'running'
          ? run
          : undefined;
      },
      `Airflow instance '${this.config.name}' lost its answer to clearing DAG run '${runId}' of DAG '${dagId}', and the run is not queued or running`,
    );
  }

  async listTaskInstancesOfRuns(
    dagId: string,
    runIds: string[],
  ): Promise<Map<string, AirflowTaskInstance[]>> {
    const result = new Map<string, AirflowTaskInstance[]>(
      runIds.map(id => [id, []]),
    );
    if (runIds.length === 0) return result;
    const { dialect } = await this.#context();
    const seen = new Set<string>();
    const add = (raws: unknown) => {
      if (!Array.isArray(raws)) return 0;
      for (const raw of raws as RawTaskInstance[]) {
        if (!isPlainObject(raw) || typeof raw.task_id !== 'string') continue;
        const runId = String(raw.dag_run_id ?? '');
        const list = result.get(runId);
        if (!list) continue;
        const ti = mapTaskInstance(raw);
        const key = `${runId}\u0000${ti.taskId}\u0000${ti.mapIndex}`;
        if (seen.has(key)) continue;
        seen.add(key);
        list.push(ti);
      }
      return raws.length;
    };
    const fetchPage = (offset: number) =>
      this.#session.request<{
        task_instances?: unknown;
        total_entries?: number;
      }>({
        method: 'POST',
        path: '/dags/~/dagRuns/~/taskInstances/list',
        body: dialect.taskInstancesBatchBody(dagId, runIds, {
          offset,
          limit: MAX_PAGE_SIZE,
        }),
      });
    if (!dialect.taskInstancesBatchPaged) {
      add((await fetchPage(0))?.task_instances);
      return result;
    }
    let offset = 0;
    for (let page = 0; page < 1000; page++) {
      const body = await fetchPage(offset);
      const count = add(body?.task_instances);
      offset += count;
      const total =
        typeof body?.total_entries === 'number'
          ? body.total_entries
          : undefined;
      if (
        count === 0 ||
        (total !== undefined ? offset >= total : count < MAX_PAGE_SIZE)
      ) {
        break;
      }
    }
    return result;
  }

  async getTaskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    mapIndex: number,
  ): Promise<AirflowTaskInstance> {
    const raw = await this.#session.request<RawTaskInstance>({
      path: taskInstancePath(dagId, runId, taskId, mapIndex),
    });
    return mapTaskInstance(raw);
  }

  /**
   * The tries (`…/taskInstances/{task_id}[/{map_index}]/tries`: Airflow 3,
   * Airflow 2.10+), oldest first, one per try number. Where the endpoint is
   * missing (Airflow 2 before 2.10 answers 404 although the task instance
   * exists) the current try alone, with `complete: false`.
   */
  async listTaskInstanceTries(
    dagId: string,
    runId: string,
    taskId: string,
    mapIndex: number,
  ): Promise<AirflowTaskInstanceTries> {
    let raws: RawTaskInstance[];
    try {
      const body = await this.#session.request<{ task_instances?: unknown }>({
        path: `${taskInstancePath(dagId, runId, taskId, mapIndex)}/tries`,
      });
      raws = Array.isArray(body?.task_instances)
        ? (body.task_instances as RawTaskInstance[]).filter(isPlainObject)
        : [];
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // Rethrows the 404 when the task instance itself does not exist.
      const ti = await this.getTaskInstance(dagId, runId, taskId, mapIndex);
      const current = ti.tryNumber > 0 ? [tryOfTaskInstance(ti, null)] : [];
      return { tries: current, complete: false };
    }
    const byTry = new Map<number, AirflowTaskInstanceTry>();
    for (const raw of raws) {
      const t = mapTaskInstanceTry(raw);
      // The task instance comes after its history: it wins for its try.
      if (t.tryNumber > 0) byTry.set(t.tryNumber, t);
    }
    return {
      tries: [...byTry.values()].sort((a, b) => a.tryNumber - b.tryNumber),
      complete: true,
    };
  }

  /**
   * One bounded page of a try's log, or its tail. Never holds the log: the
   * answer is read as a stream, line by line (entry by entry), and the
   * transfer stops once the page is full.
   *
   * - Airflow 3, try finished, no token: NDJSON (`application/x-ndjson`),
   *   read from the start, skipping `offset` entries.
   * - Airflow 3, try running or a token given: JSON with Airflow's token, so
   *   that the next page's `nextToken` continues where this one ended; its
   *   `content` list is scanned entry by entry. Before Airflow 3.3 a read with
   *   a token answers the whole log again (3.0, 3.1) or a server error (3.2):
   *   there no token is handed out (one given is refused), and following
   *   re-reads the log, skipping `offset` entries.
   * - Airflow 2: `text/plain`, read from the start, skipping `offset` lines
   *   (Airflow 2 gives no token for text; following re-reads the log).
   *
   * At most {@link LOG_PAGE_MAX_BYTES} of lines per page; each line cut at
   * {@link LOG_LINE_MAX_CHARS}.
   *
   * @throws NotFoundError for a task instance or try that does not exist.
   * @throws InputError for a token on Airflow 2 or before 3.3, or one Airflow did not issue.
   */
  async readTaskLog(
    dagId: string,
    runId: string,
    taskId: string,
    options: ReadTaskLogOptions,
  ): Promise<AirflowTaskLog> {
    const { dialect } = await this.#context();
    const { mapIndex, tryNumber, token, tail } = options;
    const offset = Math.max(0, Math.floor(options.offset));
    if (token && dialect.logFormat === 'text') {
      throw new InputError(
        `Airflow instance '${this.config.name}' speaks the Airflow 2 API, whose text logs are paged by offset only: a continuation token is not one it issued`,
      );
    }
    const ti = await this.getTaskInstance(dagId, runId, taskId, mapIndex);
    if (tryNumber > Math.max(ti.tryNumber, 1)) {
      throw new NotFoundError(
        `Task instance '${taskId}'${
          mapIndex >= 0 ? ` [${mapIndex}]` : ''
        } of DAG run '${runId}' has no try ${tryNumber} (latest try: ${
          ti.tryNumber
        }) (Airflow instance '${this.config.name}')`,
      );
    }
    const growing =
      ti.tryNumber === tryNumber && LOG_GROWING_STATES.has(ti.state);
    // Asked only where it matters (a token, or a log that grows): the version is one more call.
    const tokenResumes =
      dialect.logFormat !== 'text' &&
      (Boolean(token) || growing) &&
      hasFeature(
        dialect,
        await this.#session.serverVersion(),
        'logTokenResumes',
      );
    if (token && !tokenResumes) {
      throw new InputError(
        `Airflow instance '${this.config.name}' runs an Airflow whose logs are followed by offset only (continuation tokens need Airflow 3.3 or later): a continuation token is not one the plugin issued`,
      );
    }
    // A growing log (or a continued page) is read as JSON pages, a finished one as NDJSON.
    let format: 'ndjson' | 'json' | 'text' =
      growing || token ? 'json' : 'ndjson';
    if (dialect.logFormat === 'text') format = 'text';
    const accept = {
      ndjson: 'application/x-ndjson',
      json: 'application/json',
      text: 'text/plain',
    }[format];
    const stream = await this.#session.stream({
      path: `${encodePath`/dags/${dagId}/dagRuns/${runId}/taskInstances/${taskId}/logs/${String(
        tryNumber,
      )}`}`,
      query: { map_index: mapIndex, token: token || undefined },
      accept,
      maxMs: LOG_READ_MAX_MS,
    });
    const builder = new LogPageBuilder({
      offset,
      maxBytes: LOG_PAGE_MAX_BYTES,
      tail,
    });
    const header = new LogSourceHeader(
      format === 'text' ? 'text' : 'structured',
    );
    const streamStats = newStreamStats();
    // Bytes of one line or entry held at most: its message is cut at LOG_LINE_MAX_CHARS anyway.
    const maxPieceBytes = LOG_LINE_MAX_CHARS * 4 + 4096;
    let nextToken: string | null = null;
    let aborted = false;
    try {
      if (format === 'json') {
        let index = 0;
        for await (const item of readJsonLogBody(stream.body, {
          maxEntryBytes: maxPieceBytes,
          maxFieldBytes: 16 * 1024,
          stats: streamStats,
        })) {
          if (item.kind === 'field') {
            if (item.key === 'continuation_token' && !item.piece.cut) {
              const value = parseJsonOr(item.piece.text, null);
              nextToken = typeof value === 'string' && value ? value : null;
            }
            continue;
          }
          const entry = item.piece.cut
            ? `${item.piece.text}… (an entry of ${item.piece.bytes} bytes, cut)`
            : parseJsonOr(item.piece.text, item.piece.text);
          const line = structuredLogLine(entry, index++);
          if (!builder.add(line, { header: header.isHeader(line) })) {
            aborted = true;
            break;
          }
        }
      } else {
        const parser = new TextLogParser();
        let index = 0;
        for await (const piece of readLines(stream.body, {
          maxLineBytes: maxPieceBytes,
          stats: streamStats,
        })) {
          let line;
          if (format === 'ndjson') {
            if (!piece.text.trim()) continue;
            const entry = piece.cut
              ? `${piece.text}… (an entry of ${piece.bytes} bytes, cut)`
              : parseJsonOr(piece.text, piece.text);
            line = structuredLogLine(entry, index++);
          } else {
            line = parser.line(piece.text, index++);
          }
          if (
            !builder.add(line, { header: header.isHeader(line, piece.text) })
          ) {
            aborted = true;
            break;
          }
        }
      }
    } catch (error) {
      if (error instanceof Error && /log answer/.test(error.message)) {
        throw new InputError(
          `Airflow instance '${this.config.name}' answered the log of try ${tryNumber} of '${taskId}' with a body that is not a log: ${error.message}`,
        );
      }
      throw error;
    } finally {
      stream.abort();
    }
    if (options.stats) {
      options.stats.bytesRead = streamStats.bytesRead;
      options.stats.maxHeldStreamBytes = streamStats.maxHeldBytes;
      options.stats.maxKeptBytes = builder.maxKeptBytes;
      options.stats.format = format;
      options.stats.aborted = aborted;
    }
    const hasMore = builder.full;
    let endOfLog: boolean;
    let next: { token: string | null; offset: number };
    if (format === 'json' && tokenResumes) {
      // Airflow's token is null once the try's log is complete.
      endOfLog = !hasMore && nextToken === null;
      next = hasMore
        ? { token: token || null, offset: builder.seen }
        : { token: nextToken, offset: 0 };
    } else {
      // Text logs, and JSON on versions whose token re-sends the whole log:
      // the next read starts over and skips the lines already seen.
      endOfLog = !growing && !hasMore;
      next = { token: null, offset: builder.seen };
    }
    return {
      tryNumber,
      mapIndex,
      lines: builder.result(),
      nextToken: next.token,
      nextOffset: next.offset,
      hasMore,
      endOfLog,
      tail: tail !== undefined,
      bytesRead: streamStats.bytesRead,
      errors: builder.errors,
    };
  }

  async setDagRunState(
    dagId: string,
    runId: string,
    state: 'success' | 'failed',
  ): Promise<AirflowDagRun> {
    const ctx = await this.#context();
    const request = ctx.dialect.setRunStateRequest(dagId, runId, state);
    const raw = await this.#session.request<RawDagRun>({
      method: request.method,
      path: request.path,
      query: request.query,
      body: request.body,
    });
    return mapDagRun(raw, ctx);
  }

  async setTaskInstanceState(
    dagId: string,
    runId: string,
    taskId: string,
    options: SetTaskInstanceStateOptions,
  ): Promise<AirflowTaskInstancesChange> {
    const { dialect } = await this.#context();
    const request = dialect.setTaskInstanceStateRequest({
      dagId,
      runId,
      taskId,
      ...options,
    });
    if ('unsupported' in request) {
      throw new AirflowNotSupportedError(
        `${request.unsupported} (Airflow instance '${this.config.name}')`,
      );
    }
    const body = await this.#session
      .request<unknown>({
        method: request.method,
        path: request.path,
        query: request.query,
        body: request.body,
      })
      .catch(error => {
        if ((error as Error)?.name !== 'ConflictError') throw error;
        throw new ConflictError(
          `Task instance '${taskId}' of DAG run '${runId}' is already ${
            options.state
          }: ${(error as Error).message}`,
        );
      });
    return { dryRun: false, taskInstances: refsOf(body) };
  }

  async clearTaskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    options: ClearTaskInstanceOptions,
  ): Promise<AirflowTaskInstancesChange> {
    const { dialect } = await this.#context();
    const body = await this.#session.request<unknown>({
      method: 'POST',
      path: encodePath`/dags/${dagId}/clearTaskInstances`,
      body: dialect.clearTaskInstanceBody({ runId, taskId, ...options }),
    });
    return { dryRun: options.dryRun, taskInstances: refsOf(body) };
  }
}

/** `JSON.parse(text)`, or `fallback` when the text is not JSON. */
function parseJsonOr<T>(text: string, fallback: T): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
