import type {
  AuditorService,
  BackstageCredentials,
  CacheService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  type CompoundEntityRef,
  type Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  NotAllowedError,
  NotFoundError,
  serializeError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Request } from 'express';
import {
  airflowDagClearPermission,
  airflowDagPausePermission,
  airflowDagReadPermission,
  airflowDagTriggerPermission,
  type AirflowDag,
  type AirflowDagDetails,
  type AirflowDagRun,
  type AirflowDagRunList,
  type AirflowEntityDag,
  type AirflowEntityDagsResponse,
  type AirflowInstanceError,
  type AirflowInstanceStatus,
  type AirflowMissingDag,
  type AirflowTaskInstance,
  type DagRunState,
  type JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AirflowPluginConfig } from '../config';
import type { AirflowClient } from '../lib/airflow/types';
import { type EntityDagSelection, selectEntityDags } from '../lib/selection';

/** Who is asking, and about which entity. */
export interface EntityRequestOptions {
  /** The entity that names the DAG(s). */
  entityRef: CompoundEntityRef;
  /** The caller's credentials; the entity is loaded and permissions checked on their behalf. */
  credentials: BackstageCredentials;
  /** The HTTP request, so audit events carry the actor and request details. */
  request?: Request;
}

/** Identifies one DAG of an entity. */
export interface EntityDagRequestOptions extends EntityRequestOptions {
  /** Instance name. */
  instance: string;
  /** DAG id. */
  dagId: string;
}

/**
 * The entity-scoped operations of the plugin. Every method loads the entity
 * on behalf of the caller (404 when it does not exist or the caller may not
 * read it), checks the permission with the entity as resource (403 before any
 * call to Airflow), and only reaches DAGs that the entity names (404 otherwise).
 */
export interface AirflowService {
  /** DAGs of an entity with their latest runs; annotated DAGs Airflow lacks are listed in `missing`. */
  listEntityDags(
    options: EntityRequestOptions,
  ): Promise<AirflowEntityDagsResponse>;
  /** One DAG of the entity with params (for the trigger dialog). */
  getDagDetails(options: EntityDagRequestOptions): Promise<AirflowDagDetails>;
  /** One page of a DAG's runs. */
  listDagRuns(
    options: EntityDagRequestOptions & {
      limit: number;
      offset: number;
      states?: DagRunState[];
    },
  ): Promise<AirflowDagRunList>;
  /** One run with its task instances. */
  getDagRun(
    options: EntityDagRequestOptions & { runId: string },
  ): Promise<{ run: AirflowDagRun; taskInstances: AirflowTaskInstance[] }>;
  /** Triggers a run; the note records the Backstage user. Audited. */
  triggerDagRun(
    options: EntityDagRequestOptions & {
      conf: JsonObject;
      logicalDate?: string;
      note?: string;
    },
  ): Promise<AirflowDagRun>;
  /** Pauses or unpauses a DAG. Audited. */
  setDagPaused(
    options: EntityDagRequestOptions & { isPaused: boolean },
  ): Promise<AirflowDag>;
  /** Clears a run (all tasks or only failed ones) so that it runs again. Audited. */
  clearDagRun(
    options: EntityDagRequestOptions & { runId: string; onlyFailed: boolean },
  ): Promise<AirflowDagRun>;
  /** Health and version of every configured instance. */
  listInstances(): Promise<AirflowInstanceStatus[]>;
}

const CACHE_PREFIX = 'airflow:v1';

/** Airflow's `dag_run_note.content` column length. */
const MAX_AIRFLOW_NOTE_LENGTH = 1000;

function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? principal.type;
}

/** HTTP status of a per-instance failure, by error name; anything else is Airflow being unavailable. */
const STATUS_BY_ERROR_NAME: Record<string, number> = {
  NotFoundError: 404,
  NotAllowedError: 403,
  InputError: 400,
};

function toInstanceError(
  instance: string,
  error: unknown,
): AirflowInstanceError {
  const serialized = serializeError(error as Error);
  const status = STATUS_BY_ERROR_NAME[serialized.name ?? ''] ?? 503;
  return {
    instance,
    status,
    name: serialized.name ?? 'Error',
    message: serialized.message ?? String(error),
  };
}

/** Default {@link AirflowService}. */
export class DefaultAirflowService implements AirflowService {
  private readonly clients: Map<string, AirflowClient>;
  private readonly defaultInstance: string;
  /** Airflow reads in flight, by cache key: concurrent misses share one call. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      config: AirflowPluginConfig;
      clients: AirflowClient[];
      catalog: CatalogService;
      permissions: PermissionsService;
      auditor: AuditorService;
      cache: CacheService;
      logger: LoggerService;
    },
  ) {
    this.clients = new Map(deps.clients.map(c => [c.config.name, c]));
    this.defaultInstance = deps.config.instances[0].name;
  }

  async listInstances(): Promise<AirflowInstanceStatus[]> {
    return Promise.all([...this.clients.values()].map(c => c.getStatus()));
  }

  async listEntityDags(
    options: EntityRequestOptions,
  ): Promise<AirflowEntityDagsResponse> {
    const entity = await this.loadEntity(options);
    await this.authorize(airflowDagReadPermission, entity, options.credentials);
    const entityRef = stringifyEntityRef(entity);
    const selections = this.selectionsOf(entity);

    const dags: AirflowEntityDag[] = [];
    const missing: AirflowMissingDag[] = [];
    const errors: AirflowInstanceError[] = [];

    await Promise.all(
      selections.map(async selection => {
        const client = this.clients.get(selection.instance);
        if (!client) {
          errors.push({
            instance: selection.instance,
            status: 404,
            name: 'NotFoundError',
            message: `Unknown Airflow instance '${
              selection.instance
            }'; configured instances: ${[...this.clients.keys()].join(', ')}`,
          });
          return;
        }
        try {
          const all = await this.cachedDags(client);
          const byId = new Map(all.map(d => [d.dagId, d]));
          const chosen = new Map<string, AirflowDag>();
          for (const dagId of selection.dagIds) {
            const dag = byId.get(dagId);
            if (dag) chosen.set(dagId, dag);
            else missing.push({ instance: selection.instance, dagId });
          }
          if (selection.tags.length > 0) {
            const tags = new Set(selection.tags);
            for (const dag of all) {
              if (dag.tags.some(t => tags.has(t))) chosen.set(dag.dagId, dag);
            }
          }
          const runs = await this.cachedRecentRuns(client, [...chosen.keys()]);
          for (const dag of chosen.values()) {
            dags.push({ ...dag, recentRuns: runs.get(dag.dagId) ?? [] });
          }
        } catch (error) {
          this.deps.logger.warn(
            `Airflow instance ${selection.instance} failed for ${entityRef}`,
            { error: serializeError(error as Error).message },
          );
          errors.push(toInstanceError(selection.instance, error));
        }
      }),
    );

    const byKey = (
      a: { instance: string; dagId: string },
      b: { instance: string; dagId: string },
    ) => a.instance.localeCompare(b.instance) || a.dagId.localeCompare(b.dagId);
    dags.sort(byKey);
    missing.sort(byKey);
    errors.sort((a, b) => a.instance.localeCompare(b.instance));
    return { entityRef, dags, missing, errors };
  }

  async getDagDetails(
    options: EntityDagRequestOptions,
  ): Promise<AirflowDagDetails> {
    const { client } = await this.resolveDag(options, airflowDagReadPermission);
    return client.getDagDetails(options.dagId);
  }

  async listDagRuns(
    options: EntityDagRequestOptions & {
      limit: number;
      offset: number;
      states?: DagRunState[];
    },
  ): Promise<AirflowDagRunList> {
    const { client } = await this.resolveDag(options, airflowDagReadPermission);
    return client.listDagRuns(options.dagId, {
      limit: options.limit,
      offset: options.offset,
      states: options.states,
    });
  }

  async getDagRun(
    options: EntityDagRequestOptions & { runId: string },
  ): Promise<{ run: AirflowDagRun; taskInstances: AirflowTaskInstance[] }> {
    const { client } = await this.resolveDag(options, airflowDagReadPermission);
    const [run, taskInstances] = await Promise.all([
      client.getDagRun(options.dagId, options.runId),
      client.listTaskInstances(options.dagId, options.runId),
    ]);
    return { run, taskInstances };
  }

  async triggerDagRun(
    options: EntityDagRequestOptions & {
      conf: JsonObject;
      logicalDate?: string;
      note?: string;
    },
  ): Promise<AirflowDagRun> {
    const triggerMeta: JsonObject = {
      confKeys: Object.keys(options.conf).sort(),
      ...(options.logicalDate ? { logicalDate: options.logicalDate } : {}),
      ...(options.note ? { note: options.note } : {}),
    };
    return this.audited('dag-trigger', options, triggerMeta, async () => {
      const { client } = await this.resolveDag(
        options,
        airflowDagTriggerPermission,
      );
      const actor = actorOf(options.credentials);
      const full = `Triggered from Backstage by ${actor}${
        options.note?.trim() ? `: ${options.note.trim()}` : ''
      }`;
      // Airflow stores notes in a 1000-character column.
      const note =
        full.length > MAX_AIRFLOW_NOTE_LENGTH
          ? `${full.slice(0, MAX_AIRFLOW_NOTE_LENGTH - 1)}…`
          : full;
      const run = await client.triggerDagRun(options.dagId, {
        conf: options.conf,
        logicalDate: options.logicalDate,
        note,
      });
      await this.invalidateRuns(client, options.dagId);
      return { result: run, meta: { runId: run.runId } };
    });
  }

  async setDagPaused(
    options: EntityDagRequestOptions & { isPaused: boolean },
  ): Promise<AirflowDag> {
    return this.audited(
      options.isPaused ? 'dag-pause' : 'dag-unpause',
      options,
      {},
      async () => {
        const { client } = await this.resolveDag(
          options,
          airflowDagPausePermission,
        );
        const dag = await client.setDagPaused(options.dagId, options.isPaused);
        await this.deps.cache.delete(this.dagsKey(client));
        return { result: dag, meta: {} };
      },
    );
  }

  async clearDagRun(
    options: EntityDagRequestOptions & { runId: string; onlyFailed: boolean },
  ): Promise<AirflowDagRun> {
    return this.audited(
      'dag-run-clear',
      options,
      { runId: options.runId, onlyFailed: options.onlyFailed },
      async () => {
        const { client } = await this.resolveDag(
          options,
          airflowDagClearPermission,
        );
        const run = await client.clearDagRun(options.dagId, options.runId, {
          onlyFailed: options.onlyFailed,
        });
        await this.invalidateRuns(client, options.dagId);
        return { result: run, meta: {} };
      },
    );
  }

  // --- internals -----------------------------------------------------------

  /** Runs a write as one auditor event: success, or failure (denied, not found, Airflow error). */
  private async audited<T>(
    eventId: string,
    options: EntityDagRequestOptions,
    extraMeta: JsonObject,
    action: () => Promise<{ result: T; meta: JsonObject }>,
  ): Promise<T> {
    const event = await this.deps.auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: options.request,
      meta: {
        actor: actorOf(options.credentials),
        entityRef: stringifyEntityRef(options.entityRef),
        instance: options.instance,
        dagId: options.dagId,
        ...extraMeta,
      },
    });
    try {
      const { result, meta } = await action();
      await event.success({ meta: { outcome: 'succeeded', ...meta } });
      return result;
    } catch (error) {
      const outcome = error instanceof NotAllowedError ? 'denied' : 'failed';
      await event.fail({ error: error as Error, meta: { outcome } });
      throw error;
    }
  }

  private async loadEntity(options: EntityRequestOptions): Promise<Entity> {
    const ref = stringifyEntityRef(options.entityRef);
    const entity = await this.deps.catalog.getEntityByRef(options.entityRef, {
      credentials: options.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`Entity ${ref} not found`);
    }
    return entity;
  }

  private async authorize(
    permission: ResourcePermission<'catalog-entity'>,
    entity: Entity,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const ref = stringifyEntityRef(entity);
    const [decision] = await this.deps.permissions.authorize(
      [{ permission, resourceRef: ref }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to ${permission.name.replace(
          /^airflow\.dag\./,
          '',
        )} DAGs of ${ref} (permission ${permission.name})`,
      );
    }
  }

  private selectionsOf(entity: Entity): EntityDagSelection[] {
    return selectEntityDags(entity, this.defaultInstance);
  }

  /**
   * Loads the entity, checks the permission, and proves that the entity names
   * the DAG (by id, or by tag on the entity's default instance).
   */
  private async resolveDag(
    options: EntityDagRequestOptions,
    permission: ResourcePermission<'catalog-entity'>,
  ): Promise<{ client: AirflowClient; entity: Entity }> {
    const entity = await this.loadEntity(options);
    await this.authorize(permission, entity, options.credentials);
    const ref = stringifyEntityRef(entity);
    const notNamed = () =>
      new NotFoundError(
        `DAG '${options.dagId}' on instance '${options.instance}' is not named by ${ref}`,
      );
    const selection = this.selectionsOf(entity).find(
      s => s.instance === options.instance,
    );
    if (!selection) throw notNamed();
    const client = this.clients.get(options.instance);
    if (!client) {
      throw new NotFoundError(`Unknown Airflow instance '${options.instance}'`);
    }
    if (selection.dagIds.includes(options.dagId)) return { client, entity };
    if (selection.tags.length > 0) {
      const all = await this.cachedDags(client);
      const dag = all.find(d => d.dagId === options.dagId);
      if (dag && dag.tags.some(t => selection.tags.includes(t))) {
        return { client, entity };
      }
    }
    throw notNamed();
  }

  private dagsKey(client: AirflowClient) {
    return `${CACHE_PREFIX}:dags:${client.config.name}`;
  }

  private runsKey(client: AirflowClient, dagId: string) {
    return `${CACHE_PREFIX}:runs:${client.config.name}:${dagId}`;
  }

  /** Every DAG of an instance, from the cache when fresh. */
  private async cachedDags(client: AirflowClient): Promise<AirflowDag[]> {
    const ttl = this.deps.config.cacheTtlMs;
    const key = this.dagsKey(client);
    if (ttl > 0) {
      const hit = await this.deps.cache.get(key);
      if (hit) return hit as unknown as AirflowDag[];
    }
    const dags = await this.shared(key, () => client.listDags());
    if (ttl > 0) {
      await this.deps.cache.set(key, dags as any, { ttl });
    }
    return dags;
  }

  /** Latest runs per DAG: cached entries, the rest in one batch. */
  private async cachedRecentRuns(
    client: AirflowClient,
    dagIds: string[],
  ): Promise<Map<string, AirflowDagRun[]>> {
    const ttl = this.deps.config.cacheTtlMs;
    const limit = this.deps.config.recentRunsLimit;
    const result = new Map<string, AirflowDagRun[]>();
    const toFetch: string[] = [];
    if (ttl > 0) {
      const hits = await Promise.all(
        dagIds.map(id => this.deps.cache.get(this.runsKey(client, id))),
      );
      dagIds.forEach((id, i) => {
        const hit = hits[i];
        if (hit) result.set(id, hit as unknown as AirflowDagRun[]);
        else toFetch.push(id);
      });
    } else {
      toFetch.push(...dagIds);
    }
    if (toFetch.length > 0) {
      const fetched = await this.shared(
        `${CACHE_PREFIX}:runs-batch:${client.config.name}:${toFetch.join(',')}`,
        () => client.listRecentDagRuns(toFetch, limit),
      );
      await Promise.all(
        toFetch.map(async id => {
          const runs = fetched.get(id) ?? [];
          result.set(id, runs);
          if (ttl > 0) {
            await this.deps.cache.set(this.runsKey(client, id), runs as any, {
              ttl,
            });
          }
        }),
      );
    }
    return result;
  }

  /** Runs `fetch` once for concurrent callers with the same key. */
  private shared<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const promise = fetch().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private async invalidateRuns(client: AirflowClient, dagId: string) {
    await this.deps.cache.delete(this.runsKey(client, dagId));
  }
}
