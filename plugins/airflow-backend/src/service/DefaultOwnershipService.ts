import type {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  type Entity,
  RELATION_OWNED_BY,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { NotAllowedError, serializeError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AIRFLOW_DAG_IDS_ANNOTATION,
  AIRFLOW_DAG_TAGS_ANNOTATION,
  airflowOwnershipReadPermission,
  type AirflowDagEntity,
  type AirflowDanglingReference,
  type AirflowInstanceError,
  type AirflowOwnershipDag,
  type AirflowOwnershipResponse,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AirflowClient } from '../lib/airflow';
import { SingleFlight } from '../lib/singleFlight';
import { toInstanceError } from './errors';
import type { OwnershipService } from './OwnershipService';
import { ReadCache } from './ReadCache';
import { DagIndex, selectEntityDags } from './selection';

/** A DAG of the stored index, before per-caller filtering. */
type IndexedDag = Omit<
  AirflowOwnershipDag,
  'owners' | 'hiddenEntityCount' | 'isOrphan'
>;

/** The index as stored in the cache. */
interface StoredIndex {
  builtAt: string;
  dags: IndexedDag[];
  dangling: AirflowDanglingReference[];
  instanceErrors: AirflowInstanceError[];
}

/** The outcome of the latest refresh attempt. */
interface RefreshStatus {
  attemptedAt: string;
  error: string | null;
}

const INDEX_KEY = ReadCache.key('ownership', 'index');
const STATUS_KEY = ReadCache.key('ownership', 'status');
/** The index outlives many refresh intervals, so a failing refresh keeps the last good one. */
const INDEX_TTL_MS = 7 * 24 * 3600 * 1000;

function ownersOf(entity: Entity): string[] {
  const related = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef);
  if (related.length > 0) return [...new Set(related)].sort();
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return [];
  try {
    return [
      stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ),
    ];
  } catch {
    return [];
  }
}

/**
 * Default {@link OwnershipService}. The index is built by
 * {@link DefaultOwnershipService.refresh} (run by the scheduler service once
 * per interval across replicas, and on demand) and stored in the cache
 * service; a refresh that fails keeps the last good index and reports its age
 * and the error. Reads filter the index per caller: entities the caller may
 * not read are removed (and only counted).
 */
export class DefaultOwnershipService implements OwnershipService {
  readonly #refreshes = new SingleFlight<void>();
  /** The newest index this replica built or read: served while the cache store is unavailable. */
  #lastIndex?: StoredIndex;

  constructor(
    private readonly deps: {
      clients: AirflowClient[];
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
      cache: ReadCache;
      logger: LoggerService;
    },
  ) {}

  /**
   * Rebuilds the index. Instances are fetched concurrently; each costs one
   * paged DAG listing and a bounded number of batch run calls (never one
   * call per DAG). An instance that fails keeps its DAGs from the previous
   * index. Never throws: failures are recorded in the refresh status.
   */
  async refresh(): Promise<void> {
    // Concurrent refreshes (the schedule, several "Refresh now") share one build.
    return this.#refreshes.run('refresh', () => this.doRefresh());
  }

  /**
   * An on-demand refresh: rebuilds unless the index is younger than
   * `minAgeMs` (default 30 s), so users cannot force back-to-back rebuilds.
   */
  async refreshIfOlderThan(minAgeMs = 30_000): Promise<void> {
    const index = await this.#readIndex();
    const status = await this.deps.cache.peek<RefreshStatus>(STATUS_KEY);
    const healthy = index && !status?.error;
    if (healthy && Date.now() - Date.parse(index.builtAt) < minAgeMs) return;
    await this.refresh();
  }

  private async doRefresh(): Promise<void> {
    const attemptedAt = new Date().toISOString();
    try {
      const previous = await this.#readIndex();
      const index = await this.build(previous);
      // One key, written whole: a reader sees the previous index or this one.
      await this.deps.cache.set(INDEX_KEY, index, INDEX_TTL_MS);
      this.#lastIndex = index;
      const instanceError =
        index.instanceErrors.length > 0
          ? index.instanceErrors
              .map(
                e =>
                  `${e.message}; DAGs of instance '${e.instance}' are from the last good refresh`,
              )
              .join('; ')
          : null;
      await this.deps.cache.set<RefreshStatus>(
        STATUS_KEY,
        { attemptedAt, error: instanceError },
        INDEX_TTL_MS,
      );
      this.deps.logger.info('Airflow ownership index refreshed', {
        dags: index.dags.length,
        dangling: index.dangling.length,
        instanceErrors: index.instanceErrors.length,
      });
    } catch (error) {
      const message = serializeError(error as Error).message;
      this.deps.logger.warn(
        `Airflow ownership index refresh failed: ${message}`,
      );
      await this.deps.cache.set<RefreshStatus>(
        STATUS_KEY,
        { attemptedAt, error: message },
        INDEX_TTL_MS,
      );
    }
  }

  async authorizeView(credentials: BackstageCredentials): Promise<void> {
    const [decision] = await this.deps.permissions.authorize(
      [{ permission: airflowOwnershipReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to see the Airflow ownership view (permission ${airflowOwnershipReadPermission.name})`,
      );
    }
  }

  async getOwnership(
    credentials: BackstageCredentials,
  ): Promise<AirflowOwnershipResponse> {
    await this.authorizeView(credentials);
    let index = await this.#readIndex();
    if (!index) {
      await this.refresh();
      index = await this.#readIndex();
    }
    const status = await this.deps.cache.peek<RefreshStatus>(STATUS_KEY);
    return this.viewFor(index, status, credentials);
  }

  /** The stored index; the last one this replica saw when the store has none (or fails). */
  async #readIndex(): Promise<StoredIndex | undefined> {
    const stored = await this.deps.cache.peek<StoredIndex>(INDEX_KEY);
    if (
      stored &&
      (!this.#lastIndex || stored.builtAt >= this.#lastIndex.builtAt)
    ) {
      this.#lastIndex = stored;
    }
    return this.#lastIndex;
  }

  private async build(previous: StoredIndex | undefined): Promise<StoredIndex> {
    const serviceCredentials = await this.deps.auth.getOwnServiceCredentials();
    const [entitiesResponse, instanceResults] = await Promise.all([
      this.deps.catalog.getEntities(
        {
          filter: [
            {
              [`metadata.annotations.${AIRFLOW_DAG_IDS_ANNOTATION}`]:
                CATALOG_FILTER_EXISTS,
            },
            {
              [`metadata.annotations.${AIRFLOW_DAG_TAGS_ANNOTATION}`]:
                CATALOG_FILTER_EXISTS,
            },
          ],
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.title',
            'metadata.annotations',
            'spec.owner',
            'relations',
          ],
        },
        { credentials: serviceCredentials },
      ),
      Promise.all(this.deps.clients.map(client => this.fetchInstance(client))),
    ]);

    const dags = new Map<string, IndexedDag>();
    const key = (instance: string, dagId: string) =>
      `${instance}\u0000${dagId}`;
    const instanceErrors: AirflowInstanceError[] = [];
    const failedInstances = new Set<string>();
    for (const result of instanceResults) {
      if ('error' in result) {
        instanceErrors.push(result.error);
        failedInstances.add(result.instance);
        for (const dag of previous?.dags ?? []) {
          if (dag.instance === result.instance)
            dags.set(key(dag.instance, dag.dagId), { ...dag, entities: [] });
        }
      } else {
        for (const dag of result.dags)
          dags.set(key(dag.instance, dag.dagId), dag);
      }
    }
    const configured = new Set(this.deps.clients.map(c => c.config.name));
    const defaultInstance = this.deps.clients[0].config.name;
    const indexes = new Map(
      [...configured].map(instance => [
        instance,
        new DagIndex([...dags.values()].filter(d => d.instance === instance)),
      ]),
    );

    const dangling: AirflowDanglingReference[] = [];
    for (const entity of entitiesResponse.items) {
      const entityRef = stringifyEntityRef(entity);
      let selections;
      try {
        selections = selectEntityDags(entity, defaultInstance);
      } catch (error) {
        this.deps.logger.warn(
          `Skipping ${entityRef} in the ownership index: ${
            (error as Error).message
          }`,
        );
        continue;
      }
      const owners = ownersOf(entity);
      const link = (dag: IndexedDag, namedBy: AirflowDagEntity['namedBy']) => {
        if (dag.entities.some(e => e.entityRef === entityRef)) return;
        dag.entities.push({
          entityRef,
          title: entity.metadata.title ?? entity.metadata.name,
          owners,
          namedBy,
        });
      };
      for (const selection of selections) {
        if (!configured.has(selection.instance)) {
          for (const dagId of selection.dagIds) {
            dangling.push({
              entityRef,
              owners,
              instance: selection.instance,
              dagId,
              reason: 'unknown-instance',
            });
          }
          continue;
        }
        const match = indexes.get(selection.instance)!.match(selection);
        for (const dag of match.byId) link(dag, 'id');
        if (!failedInstances.has(selection.instance)) {
          for (const dagId of match.missing) {
            dangling.push({
              entityRef,
              owners,
              instance: selection.instance,
              dagId,
              reason: 'dag-missing',
            });
          }
        }
        for (const dag of match.byTag) link(dag, 'tag');
      }
    }

    const byKey = (
      a: { instance: string; dagId: string },
      b: { instance: string; dagId: string },
    ) => a.instance.localeCompare(b.instance) || a.dagId.localeCompare(b.dagId);
    return {
      builtAt: new Date().toISOString(),
      dags: [...dags.values()].sort(byKey),
      dangling: dangling.sort(byKey),
      instanceErrors,
    };
  }

  private async fetchInstance(
    client: AirflowClient,
  ): Promise<
    | { instance: string; dags: IndexedDag[] }
    | { instance: string; error: AirflowInstanceError }
  > {
    const instance = client.config.name;
    try {
      const dags = await client.listDags();
      const runs = await client.listRecentDagRuns(
        dags.map(d => d.dagId),
        1,
      );
      return {
        instance,
        dags: dags.map(dag => {
          const last = runs.get(dag.dagId)?.[0];
          return {
            instance,
            dagId: dag.dagId,
            displayName: dag.displayName,
            webUrl: dag.webUrl,
            isPaused: dag.isPaused,
            schedule: dag.schedule,
            tags: dag.tags,
            airflowOwners: dag.owners,
            lastRunState: last?.state ?? null,
            lastRunDate: last
              ? last.endDate ?? last.startDate ?? last.runAfter
              : null,
            entities: [],
          };
        }),
      };
    } catch (error) {
      return { instance, error: toInstanceError(instance, error) };
    }
  }

  private async viewFor(
    index: StoredIndex | undefined,
    status: RefreshStatus | undefined,
    credentials: BackstageCredentials,
  ): Promise<AirflowOwnershipResponse> {
    const now = Date.now();
    const empty = {
      total: 0,
      owned: 0,
      orphans: 0,
      dangling: 0,
      failing: 0,
      paused: 0,
    };
    if (!index) {
      return {
        builtAt: null,
        ageSeconds: null,
        lastRefreshError: status?.error ?? null,
        instanceErrors: [],
        summary: empty,
        dags: [],
        dangling: [],
      };
    }
    const refs = [
      ...new Set([
        ...index.dags.flatMap(d => d.entities.map(e => e.entityRef)),
        ...index.dangling.map(d => d.entityRef),
      ]),
    ];
    const readable = new Set<string>();
    if (refs.length > 0) {
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        {
          entityRefs: refs,
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials },
      );
      items.forEach((item, i) => {
        if (item) readable.add(refs[i]);
      });
    }
    const dags: AirflowOwnershipDag[] = index.dags.map(dag => {
      const visible = dag.entities.filter(e => readable.has(e.entityRef));
      return {
        ...dag,
        entities: visible,
        owners: [...new Set(visible.flatMap(e => e.owners))].sort(),
        hiddenEntityCount: dag.entities.length - visible.length,
        isOrphan: dag.entities.length === 0,
      };
    });
    const dangling = index.dangling.filter(d => readable.has(d.entityRef));
    return {
      builtAt: index.builtAt,
      ageSeconds: Math.max(
        0,
        Math.round((now - Date.parse(index.builtAt)) / 1000),
      ),
      lastRefreshError: status?.error ?? null,
      instanceErrors: index.instanceErrors,
      summary: {
        total: dags.length,
        owned: dags.filter(d => !d.isOrphan).length,
        orphans: dags.filter(d => d.isOrphan).length,
        dangling: dangling.length,
        failing: dags.filter(d => d.lastRunState === 'failed').length,
        paused: dags.filter(d => d.isPaused).length,
      },
      dags,
      dangling,
    };
  }
}
