import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { serializeError, ServiceUnavailableError } from '@backstage/errors';
import {
  AIRFLOW_NOTE_MAX_LENGTH,
  LOG_TAIL_LINES_DEFAULT,
  airflowDagClearPermission,
  airflowDagLogsReadPermission,
  airflowDagPausePermission,
  airflowDagReadPermission,
  airflowDagStateUpdatePermission,
  airflowDagTriggerPermission,
  type AirflowDag,
  type AirflowDagDetails,
  type AirflowDagGrid,
  type AirflowDagRun,
  type AirflowDagRunFailure,
  type AirflowDagRunList,
  type AirflowEntityDag,
  type AirflowEntityDagsResponse,
  type AirflowInstanceError,
  type AirflowInstanceStatus,
  type AirflowMissingDag,
  type AirflowTaskInstance,
  type AirflowTriggeredDagRun,
  type AirflowTaskInstancesChange,
  type AirflowTaskInstanceTries,
  type AirflowTaskLog,
  type JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AirflowClient } from '../lib/airflow';
import { audited } from './audit';
import type {
  AirflowService,
  AuditedRequestOptions,
  ClearEntityTaskInstanceOptions,
  EntityDagRequestOptions,
  EntityDagRunRequestOptions,
  EntityRequestOptions,
  EntityTaskInstanceRequestOptions,
  EntityTaskLogOptions,
  ListEntityDagRunsOptions,
  SetEntityTaskInstanceStateOptions,
  TriggerEntityDagRunOptions,
} from './AirflowService';
import { deniedMessage, type EntityAccess } from './EntityAccess';
import { toInstanceError, unknownInstanceError } from './errors';
import { ReadCache } from './ReadCache';
import { DagIndex, type EntityDagSelection } from './selection';

/** The user (or service) behind the credentials, as written in notes and audit events. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? principal.type;
}

/** The note Airflow records on a run triggered from Backstage, at most Airflow's 1000 characters. */
export function triggerNote(actor: string, note?: string): string {
  const full = `Triggered from Backstage by ${actor}${
    note?.trim() ? `: ${note.trim()}` : ''
  }`;
  return full.length > AIRFLOW_NOTE_MAX_LENGTH
    ? `${full.slice(0, AIRFLOW_NOTE_MAX_LENGTH - 1)}…`
    : full;
}

/** How long the health and version of an instance are shared, in milliseconds. */
export const STATUS_TTL_MS = 10_000;

/** A DAG as cached: the DAG, or a marker that Airflow does not have it. */
type CachedDag = AirflowDag | { missing: true };

const byInstanceAndDagId = (
  a: { instance: string; dagId: string },
  b: { instance: string; dagId: string },
) => a.instance.localeCompare(b.instance) || a.dagId.localeCompare(b.dagId);

/**
 * `promise`, or `onTimeout()` rejected after `ms` milliseconds (no deadline
 * when `ms` is undefined or 0). The work itself goes on (and fills the
 * cache for the next page load); only the wait is bounded.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number | undefined,
  onTimeout: () => Error,
): Promise<T> {
  if (!ms) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Earliest end first; task instances without an end date last. */
function byEndDate(a: AirflowTaskInstance, b: AirflowTaskInstance): number {
  if (a.endDate === b.endDate) return a.taskId.localeCompare(b.taskId);
  if (a.endDate === null) return 1;
  if (b.endDate === null) return -1;
  return a.endDate.localeCompare(b.endDate);
}

/**
 * The grid of runs × tasks: task ids ordered by when they first started in
 * the newest run that ran them (roughly Airflow's topological order; tasks
 * that never started last, by id), mapped task instances by map index.
 */
export function gridOf(
  runs: AirflowDagRun[],
  byRun: Map<string, AirflowTaskInstance[]>,
): AirflowDagGrid {
  const firstStart = new Map<string, string>();
  const seen = new Set<string>();
  for (const run of runs) {
    for (const ti of byRun.get(run.runId) ?? []) {
      seen.add(ti.taskId);
      const key = `${run.runId}\u0000${ti.taskId}`;
      const known = firstStart.get(key);
      if (ti.startDate && (!known || ti.startDate < known)) {
        firstStart.set(key, ti.startDate);
      }
    }
  }
  const startOf = (taskId: string): string | undefined => {
    for (const run of runs) {
      const started = firstStart.get(`${run.runId}\u0000${taskId}`);
      if (started) return started;
    }
    return undefined;
  };
  const taskIds = [...seen].sort((a, b) => {
    const sa = startOf(a);
    const sb = startOf(b);
    if (sa && sb && sa !== sb) return sa.localeCompare(sb);
    if (sa && !sb) return -1;
    if (!sa && sb) return 1;
    return a.localeCompare(b);
  });
  return {
    taskIds,
    runs: runs.map(run => ({
      run,
      taskInstances: [...(byRun.get(run.runId) ?? [])].sort(
        (a, b) => a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex,
      ),
    })),
  };
}

/** Default {@link AirflowService}. */
export class DefaultAirflowService implements AirflowService {
  readonly #access: EntityAccess;
  readonly #cache: ReadCache;
  readonly #logger: LoggerService;
  readonly #recentRunsLimit: number;

  constructor(options: {
    access: EntityAccess;
    cache: ReadCache;
    logger: LoggerService;
    /** Latest runs per DAG on an entity's page. */
    recentRunsLimit: number;
  }) {
    this.#access = options.access;
    this.#cache = options.cache;
    this.#logger = options.logger;
    this.#recentRunsLimit = options.recentRunsLimit;
  }

  /**
   * Health and version of every instance, each answer shared through the
   * cache for {@link STATUS_TTL_MS}: at most one health check per instance
   * per interval, whatever the number of portal users (and replicas, with a
   * shared cache store).
   */
  async listInstances(): Promise<AirflowInstanceStatus[]> {
    return Promise.all(
      this.#access.instanceNames.map(name =>
        this.#cache.getOrLoad(
          ReadCache.key('status', name),
          () => this.#access.client(name)!.getStatus(),
          STATUS_TTL_MS,
        ),
      ),
    );
  }

  /**
   * The entity's DAGs with their latest runs. Per instance, without ever
   * listing the instance: the DAGs named by id are read by id (one call on
   * Airflow 3.2+) while their latest runs are read in one batch at the same
   * time; tags cost one filtered DAG list per tag set and one batch for the
   * runs of the DAGs it adds. Everything read is cached per DAG. A user who
   * was allowed this read lately has the Airflow calls start while the
   * permission decision is asked (see {@link EntityAccess.authorizeEntityRead}).
   */
  async listEntityDags(
    options: EntityRequestOptions,
  ): Promise<AirflowEntityDagsResponse> {
    const { access, value } = await this.#access.authorizeEntityRead(
      options.entityRef,
      options.credentials,
      airflowDagReadPermission,
      a => this.#entityDags(a.entityRef, a.selections),
    );
    return { entityRef: access.entityRef, ...value };
  }

  /** What {@link DefaultAirflowService.listEntityDags} answers once allowed, without the entity ref. */
  async #entityDags(
    entityRef: string,
    selections: EntityDagSelection[],
  ): Promise<Omit<AirflowEntityDagsResponse, 'entityRef'>> {
    const dags: AirflowEntityDag[] = [];
    const missing: AirflowMissingDag[] = [];
    const errors: AirflowInstanceError[] = [];

    await Promise.all(
      selections.map(async selection => {
        const client = this.#access.client(selection.instance);
        if (!client) {
          errors.push(
            toInstanceError(
              selection.instance,
              unknownInstanceError(
                selection.instance,
                this.#access.instanceNames,
              ),
            ),
          );
          return;
        }
        const deadlineMs = client.config.pageTimeoutMs;
        try {
          const part = await withDeadline(
            this.#selectionDags(client, selection),
            deadlineMs,
            () =>
              new ServiceUnavailableError(
                `Airflow instance '${selection.instance}' did not answer within ${deadlineMs} ms, the entity page's deadline per instance (airflow.instances[].pageTimeoutSeconds)`,
              ),
          );
          dags.push(...part.dags);
          missing.push(...part.missing);
          errors.push(...part.errors);
        } catch (error) {
          this.#logger.warn(
            `Airflow instance ${selection.instance} failed for ${entityRef}`,
            { error: serializeError(error as Error).message },
          );
          errors.push(toInstanceError(selection.instance, error));
        }
      }),
    );

    dags.sort(byInstanceAndDagId);
    missing.sort(byInstanceAndDagId);
    errors.sort((a, b) => a.instance.localeCompare(b.instance));
    return { dags, missing, errors };
  }

  /**
   * One selection's part of an entity's answer. A failure to read the DAGs
   * rejects (the instance's DAGs are then absent); a failure of only the
   * latest runs lists the DAGs without runs and adds an error of scope
   * `runs`.
   */
  async #selectionDags(
    client: AirflowClient,
    selection: EntityDagSelection,
  ): Promise<{
    dags: AirflowEntityDag[];
    missing: AirflowMissingDag[];
    errors: AirflowInstanceError[];
  }> {
    const out = {
      dags: [] as AirflowEntityDag[],
      missing: [] as AirflowMissingDag[],
      errors: [] as AirflowInstanceError[],
    };
    let runsError: unknown;
    const runsOrNone = (dagIds: string[]) =>
      this.#recentRuns(client, dagIds).catch(error => {
        runsError ??= error;
        return new Map<string, AirflowDagRun[]>();
      });
    // The ids are known from the annotation: their DAGs and runs in parallel.
    const [named, namedRuns, tagged] = await Promise.all([
      this.#dagsByIds(client, selection.dagIds),
      runsOrNone(selection.dagIds),
      this.#dagsByTags(client, selection.tags),
    ]);
    const match = new DagIndex([...named, ...tagged]).match(selection);
    const taggedRuns = await runsOrNone(match.byTag.map(d => d.dagId));
    out.missing.push(
      ...match.missing.map(dagId => ({ instance: selection.instance, dagId })),
    );
    for (const dag of [...match.byId, ...match.byTag]) {
      out.dags.push({
        ...dag,
        recentRuns: namedRuns.get(dag.dagId) ?? taggedRuns.get(dag.dagId) ?? [],
      });
    }
    if (runsError !== undefined) {
      this.#logger.warn(
        `Airflow instance ${selection.instance}: latest runs unavailable`,
        { error: serializeError(runsError as Error).message },
      );
      out.errors.push({
        ...toInstanceError(selection.instance, runsError),
        scope: 'runs',
      });
    }
    return out;
  }

  async getDagDetails(
    options: EntityDagRequestOptions,
  ): Promise<AirflowDagDetails> {
    const { client } = await this.#authorizeDag(
      options,
      airflowDagReadPermission,
    );
    return client.getDagDetails(options.dagId);
  }

  async listDagRuns(
    options: ListEntityDagRunsOptions,
  ): Promise<AirflowDagRunList> {
    const { client } = await this.#authorizeDag(
      options,
      airflowDagReadPermission,
    );
    return client.listDagRuns(options.dagId, {
      limit: options.limit,
      offset: options.offset,
      states: options.states,
    });
  }

  async getDagRun(
    options: EntityDagRequestOptions & { runId: string },
  ): Promise<{ run: AirflowDagRun; taskInstances: AirflowTaskInstance[] }> {
    const { client } = await this.#authorizeDag(
      options,
      airflowDagReadPermission,
    );
    const [run, taskInstances] = await Promise.all([
      client.getDagRun(options.dagId, options.runId),
      client.listTaskInstances(options.dagId, options.runId),
    ]);
    return { run, taskInstances };
  }

  async triggerDagRun(
    options: TriggerEntityDagRunOptions,
  ): Promise<AirflowTriggeredDagRun> {
    const meta: JsonObject = {
      confKeys: Object.keys(options.conf).sort(),
      ...(options.logicalDate ? { logicalDate: options.logicalDate } : {}),
      ...(options.runId ? { requestedRunId: options.runId } : {}),
      ...(options.note ? { note: options.note } : {}),
    };
    return this.#audited('dag-trigger', options, meta, async () => {
      const { client } = await this.#authorizeDag(
        options,
        airflowDagTriggerPermission,
      );
      const run = await client.triggerDagRun(options.dagId, {
        conf: options.conf,
        logicalDate: options.logicalDate,
        runId: options.runId,
        note: triggerNote(actorOf(options.credentials), options.note),
      });
      await this.#cache.delete(this.#runsKey(client, options.dagId));
      const dagIsPaused = await this.#isPaused(client, options.dagId);
      return {
        result: { ...run, dagIsPaused },
        meta: { runId: run.runId, dagIsPaused },
      };
    });
  }

  /** Whether a DAG is paused now, from Airflow; null when Airflow does not say (the trigger itself succeeded). */
  async #isPaused(client: AirflowClient, dagId: string) {
    try {
      return (await client.getDag(dagId)).isPaused;
    } catch (error) {
      this.#logger.warn(`Could not read whether DAG ${dagId} is paused`, {
        error: serializeError(error as Error).message,
      });
      return null;
    }
  }

  async setDagPaused(
    options: EntityDagRequestOptions &
      AuditedRequestOptions & { isPaused: boolean },
  ): Promise<AirflowDag> {
    const eventId = options.isPaused ? 'dag-pause' : 'dag-unpause';
    return this.#audited(eventId, options, {}, async () => {
      const { client } = await this.#authorizeDag(
        options,
        airflowDagPausePermission,
      );
      const dag = await client.setDagPaused(options.dagId, options.isPaused);
      await this.#cache.delete(this.#dagKey(client, options.dagId));
      return { result: dag };
    });
  }

  async clearDagRun(
    options: EntityDagRequestOptions &
      AuditedRequestOptions & { runId: string; onlyFailed: boolean },
  ): Promise<AirflowDagRun> {
    const meta = { runId: options.runId, onlyFailed: options.onlyFailed };
    return this.#audited('dag-run-clear', options, meta, async () => {
      const { client } = await this.#authorizeDag(
        options,
        airflowDagClearPermission,
      );
      const run = await client.clearDagRun(options.dagId, options.runId, {
        onlyFailed: options.onlyFailed,
      });
      await this.#cache.delete(this.#runsKey(client, options.dagId));
      return { result: run };
    });
  }

  async getDagGrid(
    options: EntityDagRequestOptions & { limit: number },
  ): Promise<AirflowDagGrid> {
    const { client } = await this.#authorizeDag(
      options,
      airflowDagReadPermission,
    );
    const { items: runs } = await client.listDagRuns(options.dagId, {
      limit: options.limit,
      offset: 0,
    });
    const byRun = await client.listTaskInstancesOfRuns(
      options.dagId,
      runs.map(r => r.runId),
    );
    return gridOf(runs, byRun);
  }

  async getDagRunFailure(
    options: EntityDagRunRequestOptions,
  ): Promise<AirflowDagRunFailure> {
    const { client, entityRef } = await this.#authorizeDag(
      options,
      airflowDagReadPermission,
    );
    const [run, taskInstances] = await Promise.all([
      client.getDagRun(options.dagId, options.runId),
      client.listTaskInstances(options.dagId, options.runId),
    ]);
    const failed = taskInstances
      .filter(ti => ti.state === 'failed')
      .sort(byEndDate);
    const upstreamFailed = taskInstances.filter(
      ti => ti.state === 'upstream_failed',
    );
    const firstFailed = failed[0] ?? null;
    let log: AirflowTaskLog | null = null;
    let logUnavailable: string | null = null;
    if (firstFailed) {
      if (
        await this.#access.allows(
          entityRef,
          options.credentials,
          airflowDagLogsReadPermission,
        )
      ) {
        try {
          log = await client.readTaskLog(
            options.dagId,
            options.runId,
            firstFailed.taskId,
            {
              mapIndex: firstFailed.mapIndex,
              tryNumber: Math.max(firstFailed.tryNumber, 1),
              offset: 0,
              tail: LOG_TAIL_LINES_DEFAULT,
            },
          );
        } catch (error) {
          logUnavailable = `The log of ${
            firstFailed.taskId
          } could not be read: ${(error as Error).message}`;
        }
      } else {
        logUnavailable = deniedMessage(airflowDagLogsReadPermission, entityRef);
      }
    }
    return { run, failed, upstreamFailed, firstFailed, log, logUnavailable };
  }

  async getTaskInstance(
    options: EntityTaskInstanceRequestOptions,
  ): Promise<AirflowTaskInstance> {
    const { client } = await this.#authorizeDag(
      options,
      airflowDagReadPermission,
    );
    return client.getTaskInstance(
      options.dagId,
      options.runId,
      options.taskId,
      options.mapIndex,
    );
  }

  async listTaskInstanceTries(
    options: EntityTaskInstanceRequestOptions,
  ): Promise<AirflowTaskInstanceTries> {
    const { client } = await this.#authorizeDag(
      options,
      airflowDagReadPermission,
    );
    return client.listTaskInstanceTries(
      options.dagId,
      options.runId,
      options.taskId,
      options.mapIndex,
    );
  }

  async getTaskLog(options: EntityTaskLogOptions): Promise<AirflowTaskLog> {
    const { client } = await this.#authorizeDag(
      options,
      airflowDagLogsReadPermission,
    );
    return client.readTaskLog(options.dagId, options.runId, options.taskId, {
      mapIndex: options.mapIndex,
      tryNumber: options.tryNumber,
      token: options.token,
      offset: options.offset,
      tail: options.tail,
    });
  }

  async setDagRunState(
    options: EntityDagRunRequestOptions &
      AuditedRequestOptions & { state: 'success' | 'failed' },
  ): Promise<AirflowDagRun> {
    const meta = { runId: options.runId, state: options.state };
    return this.#audited('dag-run-set-state', options, meta, async () => {
      const { client } = await this.#authorizeDag(
        options,
        airflowDagStateUpdatePermission,
      );
      const run = await client.setDagRunState(
        options.dagId,
        options.runId,
        options.state,
      );
      await this.#cache.delete(this.#runsKey(client, options.dagId));
      return { result: run };
    });
  }

  async setTaskInstanceState(
    options: SetEntityTaskInstanceStateOptions,
  ): Promise<AirflowTaskInstancesChange> {
    const meta = {
      runId: options.runId,
      taskId: options.taskId,
      mapIndex: options.mapIndex,
      state: options.state,
      includeUpstream: options.includeUpstream,
      includeDownstream: options.includeDownstream,
    };
    return this.#audited('task-instance-set-state', options, meta, async () => {
      const { client } = await this.#authorizeDag(
        options,
        airflowDagStateUpdatePermission,
      );
      const change = await client.setTaskInstanceState(
        options.dagId,
        options.runId,
        options.taskId,
        {
          mapIndex: options.mapIndex,
          state: options.state,
          includeUpstream: options.includeUpstream,
          includeDownstream: options.includeDownstream,
        },
      );
      await this.#cache.delete(this.#runsKey(client, options.dagId));
      return {
        result: change,
        meta: { changed: change.taskInstances.length },
      };
    });
  }

  async clearTaskInstance(
    options: ClearEntityTaskInstanceOptions,
  ): Promise<AirflowTaskInstancesChange> {
    const meta = {
      runId: options.runId,
      taskId: options.taskId,
      mapIndex: options.mapIndex,
      dryRun: options.dryRun,
      onlyFailed: options.onlyFailed,
      includeUpstream: options.includeUpstream,
      includeDownstream: options.includeDownstream,
    };
    return this.#audited('task-instance-clear', options, meta, async () => {
      const { client } = await this.#authorizeDag(
        options,
        airflowDagClearPermission,
      );
      const change = await client.clearTaskInstance(
        options.dagId,
        options.runId,
        options.taskId,
        {
          mapIndex: options.mapIndex,
          dryRun: options.dryRun,
          onlyFailed: options.onlyFailed,
          includeUpstream: options.includeUpstream,
          includeDownstream: options.includeDownstream,
        },
      );
      if (!options.dryRun) {
        await this.#cache.delete(this.#runsKey(client, options.dagId));
      }
      return {
        result: change,
        meta: { cleared: options.dryRun ? 0 : change.taskInstances.length },
      };
    });
  }

  // --- internals -----------------------------------------------------------

  #audited<T>(
    eventId: string,
    options: EntityDagRequestOptions & AuditedRequestOptions,
    extraMeta: JsonObject,
    action: () => Promise<{ result: T; meta?: JsonObject }>,
  ): Promise<T> {
    return audited(
      options.audit,
      {
        eventId,
        meta: {
          actor: actorOf(options.credentials),
          entityRef: stringifyEntityRef(options.entityRef),
          instance: options.instance,
          dagId: options.dagId,
          ...extraMeta,
        },
      },
      action,
    );
  }

  #authorizeDag(
    options: EntityDagRequestOptions,
    permission: Parameters<EntityAccess['authorizeDag']>[1],
  ) {
    return this.#access.authorizeDag(
      options,
      permission,
      async (client, dagId) => (await this.#dagsByIds(client, [dagId]))[0],
    );
  }

  #dagKey(client: AirflowClient, dagId: string) {
    return ReadCache.key('dag', client.config.name, dagId);
  }

  #runsKey(client: AirflowClient, dagId: string) {
    return ReadCache.key('runs', client.config.name, dagId);
  }

  /** The named DAGs Airflow has (cached per DAG, a missing one too), in the order given. */
  async #dagsByIds(
    client: AirflowClient,
    dagIds: string[],
  ): Promise<AirflowDag[]> {
    if (dagIds.length === 0) return [];
    const keys = dagIds.map(id => this.#dagKey(client, id));
    const hits = await this.#cache.getMany<CachedDag>(keys);
    const toFetch = dagIds.filter((_, i) => hits[i] === undefined);
    const fetched = new Map<string, AirflowDag>();
    if (toFetch.length > 0) {
      const dags = await this.#cache.shared(
        ReadCache.key('dags-by-id', client.config.name, toFetch.join(',')),
        () => client.getDags(toFetch),
      );
      for (const dag of dags) fetched.set(dag.dagId, dag);
      await Promise.all(
        toFetch.map(id =>
          this.#cache.set<CachedDag>(
            this.#dagKey(client, id),
            fetched.get(id) ?? { missing: true },
          ),
        ),
      );
    }
    return dagIds.flatMap((id, i) => {
      const dag = fetched.get(id) ?? hits[i];
      return dag && !('missing' in dag) ? [dag] : [];
    });
  }

  /** The DAGs carrying one of `tags` (one filtered list per tag set; cached as ids plus per-DAG entries). */
  async #dagsByTags(
    client: AirflowClient,
    tags: string[],
  ): Promise<AirflowDag[]> {
    if (tags.length === 0) return [];
    const key = ReadCache.key(
      'tagged',
      client.config.name,
      [...tags].sort().join(','),
    );
    const [ids] = await this.#cache.getMany<string[]>([key]);
    if (ids) return this.#dagsByIds(client, ids);
    const dags = await this.#cache.shared(key, () => client.listDags({ tags }));
    await Promise.all([
      this.#cache.set(
        key,
        dags.map(d => d.dagId),
      ),
      ...dags.map(dag => this.#cache.set(this.#dagKey(client, dag.dagId), dag)),
    ]);
    return dags;
  }

  /** Latest runs per DAG: cached entries, the rest in one batch. */
  async #recentRuns(
    client: AirflowClient,
    dagIds: string[],
  ): Promise<Map<string, AirflowDagRun[]>> {
    if (dagIds.length === 0) return new Map();
    const keys = dagIds.map(id => this.#runsKey(client, id));
    const hits = await this.#cache.getMany<AirflowDagRun[]>(keys);
    const result = new Map<string, AirflowDagRun[]>();
    const toFetch: string[] = [];
    dagIds.forEach((id, i) => {
      const hit = hits[i];
      if (hit) result.set(id, hit);
      else toFetch.push(id);
    });
    if (toFetch.length > 0) {
      const fetched = await this.#cache.shared(
        ReadCache.key('runs-batch', client.config.name, toFetch.join(',')),
        () => client.listRecentDagRuns(toFetch, this.#recentRunsLimit),
      );
      await Promise.all(
        toFetch.map(async id => {
          const runs = fetched.get(id) ?? [];
          result.set(id, runs);
          await this.#cache.set(this.#runsKey(client, id), runs);
        }),
      );
    }
    return result;
  }
}
