import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { serializeError } from '@backstage/errors';
import {
  AIRFLOW_NOTE_MAX_LENGTH,
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
  type AirflowTriggeredDagRun,
  type JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AirflowClient } from '../lib/airflow';
import { audited } from './audit';
import type {
  AirflowService,
  AuditedRequestOptions,
  EntityDagRequestOptions,
  EntityRequestOptions,
  ListEntityDagRunsOptions,
  TriggerEntityDagRunOptions,
} from './AirflowService';
import type { EntityAccess } from './EntityAccess';
import { toInstanceError, unknownInstanceError } from './errors';
import { ReadCache } from './ReadCache';
import { DagIndex } from './selection';

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

const byInstanceAndDagId = (
  a: { instance: string; dagId: string },
  b: { instance: string; dagId: string },
) => a.instance.localeCompare(b.instance) || a.dagId.localeCompare(b.dagId);

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

  async listInstances(): Promise<AirflowInstanceStatus[]> {
    return Promise.all(
      this.#access.instanceNames.map(name =>
        this.#access.client(name)!.getStatus(),
      ),
    );
  }

  async listEntityDags(
    options: EntityRequestOptions,
  ): Promise<AirflowEntityDagsResponse> {
    const { entityRef, selections } = await this.#access.authorizeEntity(
      options.entityRef,
      options.credentials,
      airflowDagReadPermission,
    );
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
        try {
          const match = new DagIndex(await this.#dagsOf(client)).match(
            selection,
          );
          missing.push(
            ...match.missing.map(dagId => ({
              instance: selection.instance,
              dagId,
            })),
          );
          const chosen = [...match.byId, ...match.byTag];
          const runs = await this.#recentRuns(
            client,
            chosen.map(d => d.dagId),
          );
          for (const dag of chosen) {
            dags.push({ ...dag, recentRuns: runs.get(dag.dagId) ?? [] });
          }
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
    return { entityRef, dags, missing, errors };
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
      await this.#cache.delete(this.#dagsKey(client));
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
    return this.#access.authorizeDag(options, permission, client =>
      this.#dagsOf(client),
    );
  }

  #dagsKey(client: AirflowClient) {
    return ReadCache.key('dags', client.config.name);
  }

  #runsKey(client: AirflowClient, dagId: string) {
    return ReadCache.key('runs', client.config.name, dagId);
  }

  /** Every DAG of an instance, from the cache when fresh. */
  #dagsOf(client: AirflowClient): Promise<AirflowDag[]> {
    return this.#cache.getOrLoad(this.#dagsKey(client), () =>
      client.listDags(),
    );
  }

  /** Latest runs per DAG: cached entries, the rest in one batch. */
  async #recentRuns(
    client: AirflowClient,
    dagIds: string[],
  ): Promise<Map<string, AirflowDagRun[]>> {
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
