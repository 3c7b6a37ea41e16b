import type {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  type Entity,
  RELATION_CHILD_OF,
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
  OWNERSHIP_PAGE_SIZE_DEFAULT,
  airflowOwnershipReadPermission,
  type AirflowDanglingPage,
  type AirflowInstanceError,
  type AirflowOwnershipDag,
  type AirflowOwnershipIndexStatus,
  type AirflowOwnershipPage,
  type AirflowOwnershipQuery,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AirflowClient } from '../lib/airflow';
import { LRUCache } from 'lru-cache';
import { SingleFlight } from '../lib/singleFlight';
import { ENTITY_REUSE_MS, userReuseKey } from './EntityAccess';
import { toInstanceError } from './errors';
import type {
  OwnershipOrder,
  OwnershipPaging,
  OwnershipService,
} from './OwnershipService';
import {
  type DagOrder,
  type DagRow,
  type EntityRow,
  type OwnershipStore,
  type ResolvedFilters,
  type StoreState,
  type StoredEntity,
  type StoredInstance,
} from './ownership/OwnershipStore';
import { ReadMemo } from './ownership/ReadMemo';
import {
  DagIndex,
  type EntityDagSelection,
  selectEntityDags,
} from './selection';

/** Rows of one slice of the CSV export. */
const EXPORT_SLICE_ROWS = 1000;
/** A read finding no index builds one, unless the latest attempt failed this recently. */
const BUILD_ON_READ_RETRY_MS = 30_000;

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

/** Every group above each group, from the catalog's `childOf` relations (cycles are cut). */
function groupAncestors(groups: Entity[]): (ref: string) => string[] {
  const parents = new Map<string, string[]>();
  for (const group of groups) {
    parents.set(
      stringifyEntityRef(group).toLocaleLowerCase('en-US'),
      (group.relations ?? [])
        .filter(r => r.type === RELATION_CHILD_OF)
        .map(r => r.targetRef.toLocaleLowerCase('en-US')),
    );
  }
  const memo = new Map<string, string[]>();
  return ref => {
    const key = ref.toLocaleLowerCase('en-US');
    const known = memo.get(key);
    if (known) return known;
    const seen = new Set<string>([key]);
    const queue = [...(parents.get(key) ?? [])];
    const out: string[] = [];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      out.push(next);
      queue.push(...(parents.get(next) ?? []));
    }
    memo.set(key, out);
    return out;
  };
}

// eslint-disable-next-line no-control-regex
const withoutControls = (text: string) =>
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  text.replace(/[\u0000-\u001f\u007f]/g, ' ');

const iso = (ms: number | null) =>
  ms === null ? null : new Date(ms).toISOString();
const ageOf = (ms: number | null, now: number) =>
  ms === null ? null : Math.max(0, Math.round((now - ms) / 1000));

/** The annotated entities of one build, numbered, with what they select per instance. */
/** A dangling reference as the store writes it, searchable by DAG id, entity ref and title. */
function danglingRow(
  entity: EntityRow,
  instance: string,
  dagId: string,
  reason: 'dag-missing' | 'unknown-instance',
) {
  return {
    entityNo: entity.entityNo,
    instance,
    dagId,
    reason,
    search: `${dagId}\n${entity.entityRef}\n${entity.title}`,
  };
}

/**
 * Per DAG number, the smallest lower-cased direct owner ref of the entities
 * linked to it: the owners order of a caller who may read every entity
 * (the store's fallback computes the same over the readable ones).
 */
function ownerSortKeys(
  links: Iterable<{ dagNo: number; entityNo: number }>,
  entities: EntityRow[],
): Map<number, string> {
  const keys = new Map<number, string>();
  for (const { dagNo, entityNo } of links) {
    for (const owner of entities[entityNo].owners) {
      const ref = owner.toLocaleLowerCase('en-US');
      const current = keys.get(dagNo);
      if (current === undefined || ref < current) keys.set(dagNo, ref);
    }
  }
  return keys;
}

interface CatalogPlan {
  entities: EntityRow[];
  byInstance: Map<
    string,
    { entityNo: number; selection: EntityDagSelection }[]
  >;
}

/**
 * How long, in milliseconds, a replica's reads reuse the index state they
 * read (which generation is current, when it was built, the last error):
 * two database queries per read otherwise. A refresh on this replica is seen
 * by its next read at once; another replica's within this time (a superseded
 * generation stays readable for a minute, so nothing is lost meanwhile).
 */
export const INDEX_STATE_REUSE_MS = 1_000;

/**
 * Default {@link OwnershipService}. The index lives in the plugin's database
 * ({@link OwnershipStore}): {@link DefaultOwnershipService.refresh} (run by
 * the scheduler service once per interval across replicas, and on demand)
 * writes a complete new generation and switches to it; an instance that
 * fails keeps its DAGs of the last good read, with their real age. Reads ask
 * the catalog, on behalf of the caller and in one call, which of the index's
 * entities they may read (a user's answer is reused for
 * {@link ENTITY_REUSE_MS} within one generation, like an entity page's
 * entity); the others are never shown or matched, only counted. Answers of
 * a completed generation are kept in a {@link ReadMemo} (exact: a generation
 * never changes). No permission decision is cached: it is asked on every
 * read.
 */
export class DefaultOwnershipService implements OwnershipService {
  readonly #refreshes = new SingleFlight<void>();
  /** The entities of recent generations (immutable once written; not a permission). */
  readonly #entities = new Map<number, Promise<StoredEntity[]>>();
  /** Summaries, pages and counts of completed generations. */
  readonly #memo = new ReadMemo();
  /** Per user and generation, the index's entities the user may read (catalog read rules), for a few seconds. */
  readonly #readable = new LRUCache<string, Promise<Set<string>>>({
    max: 1_000,
    ttl: ENTITY_REUSE_MS,
  });
  /** The index state the reads reuse for {@link INDEX_STATE_REUSE_MS}. */
  #state?: { readAt: number; state: Promise<StoreState> };

  constructor(
    private readonly deps: {
      clients: AirflowClient[];
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
      userInfo: UserInfoService;
      store: OwnershipStore;
      logger: LoggerService;
    },
  ) {}

  async refresh(): Promise<void> {
    // Concurrent refreshes (the schedule, several "Refresh now") share one build.
    return this.#refreshes.run('refresh', async () => {
      try {
        await this.#rebuild();
      } finally {
        // This replica's next read sees the new generation (or the failure) at once.
        this.#state = undefined;
      }
    });
  }

  async refreshIfOlderThan(
    minAgeMs = 30_000,
  ): Promise<AirflowOwnershipIndexStatus> {
    const state = await this.deps.store.state();
    const healthy = state.builtAt !== null && !state.lastError;
    if (!healthy || Date.now() - state.builtAt! >= minAgeMs) {
      await this.refresh();
    }
    return this.#status(await this.deps.store.state());
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

  async getPage(
    credentials: BackstageCredentials,
    query: AirflowOwnershipQuery,
    order: OwnershipOrder = {},
    paging: OwnershipPaging = {},
  ): Promise<AirflowOwnershipPage> {
    const state = await this.#readableState(credentials);
    const page = this.#paging(paging);
    const index = this.#status(state);
    if (state.generation === null) {
      return {
        index,
        summary: {
          total: 0,
          owned: 0,
          orphans: 0,
          dangling: 0,
          failing: 0,
          paused: 0,
        },
        total: 0,
        ...page,
        dags: [],
        facets: { instances: this.#configured(), owners: [] },
      };
    }
    const view = await this.#view(credentials, state.generation, query);
    const generation = state.generation;
    const dagOrder = this.#order(order);
    const [summary, { total, dags }] = await Promise.all([
      this.#memo.get(
        generation,
        ['summary', view.filters.hiddenEntityNos],
        () => this.deps.store.summary(generation, view.filters.hiddenEntityNos),
      ),
      this.#memo.get(
        generation,
        ['dags', view.filters, dagOrder, page],
        () =>
          this.deps.store.dagPage(
            generation,
            view.filters,
            dagOrder,
            page,
            view.byNo,
          ),
        answer => answer.dags.length,
      ),
    ]);
    const owners = new Set<string>();
    for (const entity of view.visible) {
      for (const owner of entity.owners) owners.add(owner);
    }
    return {
      index,
      summary,
      total,
      ...page,
      dags,
      facets: {
        instances: [
          ...new Set([
            ...this.#configured(),
            ...state.instances.map(i => i.instance),
          ]),
        ].sort(),
        owners: [...owners].sort((a, b) => a.localeCompare(b)),
      },
    };
  }

  async getDangling(
    credentials: BackstageCredentials,
    query: AirflowOwnershipQuery,
    paging: OwnershipPaging = {},
  ): Promise<AirflowDanglingPage> {
    const state = await this.#readableState(credentials);
    const page = this.#paging(paging);
    if (state.generation === null) return { total: 0, ...page, dangling: [] };
    const view = await this.#view(credentials, state.generation, query);
    const generation = state.generation;
    const { total, dangling } = await this.#memo.get(
      generation,
      ['dangling', view.filters, page],
      () =>
        this.deps.store.danglingPage(generation, view.filters, page, view.byNo),
      answer => answer.dangling.length,
    );
    return { total, ...page, dangling };
  }

  async exportDags(
    credentials: BackstageCredentials,
    query: AirflowOwnershipQuery,
    order: OwnershipOrder = {},
  ): Promise<AsyncIterable<AirflowOwnershipDag>> {
    const state = await this.#readableState(credentials);
    const generation = state.generation;
    if (generation === null) return (async function* none() {})();
    const view = await this.#view(credentials, generation, query);
    const store = this.deps.store;
    const dagOrder = this.#order(order);
    return {
      async *[Symbol.asyncIterator]() {
        for (let offset = 0; ; offset += EXPORT_SLICE_ROWS) {
          const slice = await store.dagSlice(
            generation,
            view.filters,
            dagOrder,
            { limit: EXPORT_SLICE_ROWS, offset },
            view.byNo,
          );
          yield* slice;
          if (slice.length < EXPORT_SLICE_ROWS) return;
        }
      },
    };
  }

  // ---- reads ----

  /** Checks the permission and answers the index state, building a first index if there is none. */
  async #readableState(credentials: BackstageCredentials): Promise<StoreState> {
    await this.authorizeView(credentials);
    const state = await this.#currentState();
    if (state.generation !== null) return state;
    const recentFailure =
      state.lastAttemptAt !== null &&
      Date.now() - state.lastAttemptAt < BUILD_ON_READ_RETRY_MS;
    if (recentFailure && !this.#refreshes.has('refresh')) return state;
    await this.refresh();
    return this.#currentState();
  }

  /** The index state, read at most once per {@link INDEX_STATE_REUSE_MS} (a failed read is not reused). */
  #currentState(): Promise<StoreState> {
    const now = Date.now();
    const reused = this.#state;
    if (reused && now - reused.readAt < INDEX_STATE_REUSE_MS) {
      return reused.state;
    }
    const state = this.deps.store.state();
    const entry = { readAt: now, state };
    this.#state = entry;
    state.catch(() => {
      if (this.#state === entry) this.#state = undefined;
    });
    return state;
  }

  /** What the caller may see of a generation, and the query resolved for them. */
  async #view(
    credentials: BackstageCredentials,
    generation: number,
    query: AirflowOwnershipQuery,
  ) {
    const entities = await this.#entitiesOf(generation);
    const [readable, mineRefs] = await Promise.all([
      this.#readableRefs(credentials, generation, entities),
      query.mine
        ? this.deps.userInfo
            .getUserInfo(credentials)
            .then(info =>
              info.ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US')),
            )
        : Promise.resolve(undefined),
    ]);
    const visible = entities.filter(e => readable.has(e.entityRef));
    const filters: ResolvedFilters = {
      // Control characters separate words (PostgreSQL refuses NUL in text).
      words: withoutControls(query.q ?? '')
        .toLocaleLowerCase('en-US')
        .split(/\s+/)
        .filter(Boolean),
      instance: query.instance || undefined,
      ownerRefs: query.owner
        ? [withoutControls(query.owner).toLocaleLowerCase('en-US')]
        : undefined,
      mineRefs,
      includeChildGroups: query.includeChildGroups ?? true,
      owned: query.owned,
      orphans: query.orphans,
      failing: query.failing,
      paused: query.paused,
      hiddenEntityNos: entities
        .filter(e => !readable.has(e.entityRef))
        .map(e => e.entityNo),
    };
    return {
      filters,
      visible,
      byNo: new Map(entities.map(e => [e.entityNo, e])),
    };
  }

  /**
   * The refs among the generation's `entities` the caller may read: one
   * catalog call on their behalf, whose answer is reused for the same user
   * and generation for {@link ENTITY_REUSE_MS} (other callers: not reused).
   */
  #readableRefs(
    credentials: BackstageCredentials,
    generation: number,
    entities: StoredEntity[],
  ): Promise<Set<string>> {
    const key = userReuseKey(credentials, `generation ${generation}`);
    if (!key) return this.#askReadableRefs(credentials, entities);
    const reused = this.#readable.get(key);
    if (reused) return reused;
    const asked = this.#askReadableRefs(credentials, entities);
    this.#readable.set(key, asked);
    asked.catch(() => {
      if (this.#readable.get(key) === asked) this.#readable.delete(key);
    });
    return asked;
  }

  async #askReadableRefs(
    credentials: BackstageCredentials,
    entities: StoredEntity[],
  ): Promise<Set<string>> {
    const readable = new Set<string>();
    if (entities.length === 0) return readable;
    const refs = entities.map(e => e.entityRef);
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
    return readable;
  }

  #entitiesOf(generation: number): Promise<StoredEntity[]> {
    let entities = this.#entities.get(generation);
    if (!entities) {
      entities = this.deps.store.entities(generation);
      entities.catch(() => this.#entities.delete(generation));
      this.#entities.set(generation, entities);
      // Keep the two newest generations.
      for (const key of [...this.#entities.keys()]
        .sort((a, b) => b - a)
        .slice(2)) {
        this.#entities.delete(key);
      }
    }
    return entities;
  }

  #paging(paging: OwnershipPaging) {
    return {
      limit: paging.limit ?? OWNERSHIP_PAGE_SIZE_DEFAULT,
      offset: paging.offset ?? 0,
    };
  }

  #order(order: OwnershipOrder): DagOrder {
    return { sort: order.sort ?? 'instance', order: order.order ?? 'asc' };
  }

  #configured(): string[] {
    return this.deps.clients.map(c => c.config.name);
  }

  #status(state: StoreState): AirflowOwnershipIndexStatus {
    const now = Date.now();
    return {
      builtAt: iso(state.builtAt),
      ageSeconds: ageOf(state.builtAt, now),
      lastAttemptAt: iso(state.lastAttemptAt),
      lastRefreshError: state.lastError,
      instances: state.instances.map(i => ({
        instance: i.instance,
        refreshedAt: iso(i.refreshedAt),
        ageSeconds: ageOf(i.refreshedAt, now),
        dagCount: i.dagCount,
        error: i.error,
      })),
    };
  }

  // ---- the build ----

  async #rebuild(): Promise<void> {
    const { store, logger } = this.deps;
    const attemptedAt = Date.now();
    try {
      await store.removeStaleGenerations(attemptedAt);
      const previous = await store.state();
      const generation = await store.startGeneration(attemptedAt);
      const outcome = await this.#build(generation, previous);
      await store.complete(generation, {
        attemptedAt,
        error: outcome.error,
      });
      logger.info('Airflow ownership index refreshed', {
        generation,
        dags: outcome.dags,
        entities: outcome.entities,
        instanceErrors: outcome.failed,
        ms: Date.now() - attemptedAt,
      });
    } catch (error) {
      const message = serializeError(error as Error).message;
      logger.warn(`Airflow ownership index refresh failed: ${message}`);
      try {
        await store.recordFailure(attemptedAt, message);
      } catch (recordError) {
        logger.warn(
          `Could not record the failed ownership refresh: ${
            (recordError as Error).message
          }`,
        );
      }
    }
  }

  /**
   * Writes generation `generation`: the catalog's annotated entities and
   * each instance's DAGs are fetched concurrently; each instance's DAGs are
   * written in batches as soon as they and the entities are there, and
   * joined with the entities' selections; an instance that fails is copied
   * from the previous generation, with the time of its last good read.
   */
  async #build(
    generation: number,
    previous: StoreState,
  ): Promise<{
    error: string | null;
    dags: number;
    entities: number;
    failed: number;
  }> {
    const { store } = this.deps;
    const configured = new Set(this.#configured());
    const defaultInstance = this.deps.clients[0].config.name;
    const plan = this.#loadCatalog(defaultInstance);
    // Awaited below; a failure must not surface as unhandled meanwhile.
    plan.catch(() => undefined);

    let nextDagNo = 0;
    const take = (count: number) => {
      const first = nextDagNo;
      nextDagNo += count;
      return first;
    };
    const dangling: Parameters<OwnershipStore['insertDangling']>[1] = [];
    const statuses = await Promise.all(
      this.deps.clients.map(async (client): Promise<StoredInstance> => {
        const instance = client.config.name;
        const fetched = await this.#fetchInstance(client);
        const { byInstance, entities } = await plan;
        let dags: { dagNo: number; dagId: string; tags: string[] }[];
        let status: StoredInstance;
        let fresh: Omit<DagRow, 'entityCount' | 'ownerSort'>[] | undefined;
        if ('error' in fetched) {
          const before = previous.instances.find(i => i.instance === instance);
          const copied =
            previous.generation !== null && before?.refreshedAt
              ? await store.copyInstanceDags(
                  generation,
                  previous.generation,
                  instance,
                  take(await store.dagNoSpan(previous.generation, instance)),
                )
              : { dags: [] };
          dags = copied.dags;
          status = {
            instance,
            refreshedAt: before?.refreshedAt ?? null,
            error: fetched.error,
            dagCount: dags.length,
          };
        } else {
          const first = take(fetched.dags.length);
          fresh = fetched.dags.map((row, i) => ({ ...row, dagNo: first + i }));
          dags = fresh;
          status = {
            instance,
            refreshedAt: fetched.fetchedAt,
            error: null,
            dagCount: fresh.length,
          };
        }
        const index = new DagIndex(dags);
        const links = new Map<
          string,
          { dagNo: number; entityNo: number; namedBy: 'id' | 'tag' }
        >();
        for (const { entityNo, selection } of byInstance.get(instance) ?? []) {
          const match = index.match(selection);
          for (const [list, namedBy] of [
            [match.byId, 'id'],
            [match.byTag, 'tag'],
          ] as const) {
            for (const dag of list) {
              const key = `${entityNo}:${dag.dagNo}`;
              if (!links.has(key)) {
                links.set(key, { dagNo: dag.dagNo, entityNo, namedBy });
              }
            }
          }
          // Without a good read of the instance, a missing DAG proves nothing.
          if (status.error) continue;
          for (const dagId of match.missing) {
            dangling.push(
              danglingRow(entities[entityNo], instance, dagId, 'dag-missing'),
            );
          }
        }
        const ownerSort = ownerSortKeys(links.values(), entities);
        if (fresh) {
          const counts = new Map<number, number>();
          for (const link of links.values()) {
            counts.set(link.dagNo, (counts.get(link.dagNo) ?? 0) + 1);
          }
          await store.insertDags(
            generation,
            fresh.map(row => ({
              ...row,
              entityCount: counts.get(row.dagNo) ?? 0,
              ownerSort: ownerSort.get(row.dagNo) ?? null,
            })),
          );
        }
        await store.insertLinks(generation, [...links.values()]);
        if (!fresh) {
          await store.recountEntities(generation, instance);
          await store.setOwnerSort(generation, ownerSort);
        }
        return status;
      }),
    );

    const { entities, byInstance } = await plan;
    await store.insertEntities(generation, entities);
    for (const [instance, selections] of byInstance) {
      if (configured.has(instance)) continue;
      for (const { entityNo, selection } of selections) {
        for (const dagId of selection.dagIds) {
          dangling.push(
            danglingRow(
              entities[entityNo],
              instance,
              dagId,
              'unknown-instance',
            ),
          );
        }
      }
    }
    await store.insertDangling(generation, dangling);
    await store.insertInstances(generation, statuses);

    const failed = statuses.filter(s => s.error);
    const error =
      failed.length === 0
        ? null
        : failed
            .map(s =>
              s.refreshedAt === null
                ? `${s.error!.message}; instance '${
                    s.instance
                  }' has never been read successfully, so the index has none of its DAGs`
                : `${s.error!.message}; the DAGs of instance '${
                    s.instance
                  }' are those read at ${iso(s.refreshedAt)}`,
            )
            .join('; ');
    return {
      error,
      dags: statuses.reduce((n, s) => n + s.dagCount, 0),
      entities: entities.length,
      failed: failed.length,
    };
  }

  /** The annotated entities (numbered, with their owners and the groups above them) and what they select. */
  async #loadCatalog(defaultInstance: string): Promise<CatalogPlan> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const [annotated, groups] = await Promise.all([
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
        { credentials },
      ),
      this.deps.catalog.getEntities(
        {
          filter: { kind: 'group' },
          fields: ['kind', 'metadata.namespace', 'metadata.name', 'relations'],
        },
        { credentials },
      ),
    ]);
    const ancestorsOf = groupAncestors(groups.items);
    const entities: EntityRow[] = [];
    const byInstance: CatalogPlan['byInstance'] = new Map();
    for (const entity of annotated.items) {
      const entityRef = stringifyEntityRef(entity);
      let selections: EntityDagSelection[];
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
      const entityNo = entities.length;
      entities.push({
        entityNo,
        entityRef,
        title: entity.metadata.title ?? entity.metadata.name,
        owners,
        ancestors: [...new Set(owners.flatMap(o => ancestorsOf(o)))],
      });
      for (const selection of selections) {
        const list = byInstance.get(selection.instance) ?? [];
        list.push({ entityNo, selection });
        byInstance.set(selection.instance, list);
      }
    }
    return { entities, byInstance };
  }

  async #fetchInstance(client: AirflowClient): Promise<
    | {
        fetchedAt: number;
        dags: Omit<DagRow, 'dagNo' | 'entityCount' | 'ownerSort'>[];
      }
    | { error: AirflowInstanceError }
  > {
    const instance = client.config.name;
    try {
      const fetchedAt = Date.now();
      const dags = await client.listDags();
      const runs = await client.listRecentDagRuns(
        dags.map(d => d.dagId),
        1,
      );
      return {
        fetchedAt,
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
          };
        }),
      };
    } catch (error) {
      return { error: toInstanceError(instance, error) };
    }
  }
}
