import {
  type DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  AirflowDagEntity,
  AirflowDanglingReference,
  AirflowInstanceError,
  AirflowOwnershipDag,
  AirflowOwnershipSort,
  AirflowOwnershipSummary,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = resolvePackagePath(
  '@airflow-for-backstage/backstage-plugin-airflow-backend',
  'migrations',
);

const T = {
  generations: 'airflow_ownership_generations',
  state: 'airflow_ownership_state',
  instances: 'airflow_ownership_instances',
  dags: 'airflow_ownership_dags',
  entities: 'airflow_ownership_entities',
  owners: 'airflow_ownership_owners',
  links: 'airflow_ownership_links',
  dangling: 'airflow_ownership_dangling',
} as const;

/** Tables holding the rows of a generation, children first. */
const GENERATION_TABLES = [
  T.dangling,
  T.links,
  T.owners,
  T.entities,
  T.dags,
  T.instances,
];

/** Rows per INSERT: under SQLite's and PostgreSQL's bound-parameter limits for every table. */
export const INSERT_BATCH_ROWS = 500;
/** A superseded generation stays readable this long, for reads that started before the switch. */
const SUPERSEDED_GRACE_MS = 60_000;
/** A generation still building after this long belongs to a build that died. */
const ABANDONED_BUILD_MS = 30 * 60_000;

/** A DAG row as the builder writes it. */
export interface DagRow {
  dagNo: number;
  /** Entities naming the DAG, readable by the caller or not. */
  entityCount: number;
  instance: string;
  dagId: string;
  displayName: string;
  webUrl: string;
  isPaused: boolean;
  schedule: string | null;
  tags: string[];
  airflowOwners: string[];
  lastRunState: AirflowOwnershipDag['lastRunState'];
  lastRunDate: string | null;
  /** The smallest lower-cased direct owner ref of the entities naming the DAG; null for none. */
  ownerSort: string | null;
}

/** An entity as the builder writes it; `ownerClosure` holds its direct owners and the groups above them. */
export interface EntityRow {
  entityNo: number;
  entityRef: string;
  title: string;
  owners: string[];
  ancestors: string[];
}

/** An entity of a generation, as reads need it (cached per generation). */
export interface StoredEntity {
  entityNo: number;
  entityRef: string;
  title: string;
  owners: string[];
}

/** What one build recorded for one instance. */
export interface StoredInstance {
  instance: string;
  refreshedAt: number | null;
  error: AirflowInstanceError | null;
  dagCount: number;
}

/** The generation being served and the outcome of the latest refresh. */
export interface StoreState {
  generation: number | null;
  builtAt: number | null;
  lastAttemptAt: number | null;
  lastError: string | null;
  instances: StoredInstance[];
}

/** What a read filters by, resolved for the caller. */
export interface ResolvedFilters {
  words: string[];
  instance?: string;
  /** Lower-cased owner refs, any of which must own the DAG (undefined: no owner filter). */
  ownerRefs?: string[];
  /** A second owner filter (owned by me) that must hold as well. */
  mineRefs?: string[];
  includeChildGroups: boolean;
  owned?: boolean;
  orphans?: boolean;
  failing?: boolean;
  paused?: boolean;
  /** Entities the caller may not read: never shown, never matched. */
  hiddenEntityNos: number[];
}

/** Order of a DAG listing. */
export interface DagOrder {
  sort: AirflowOwnershipSort;
  order: 'asc' | 'desc';
}

interface RawDag {
  dag_no: number;
  instance: string;
  dag_id: string;
  display_name: string;
  web_url: string;
  is_paused: boolean | number;
  schedule: string | null;
  tags: string;
  airflow_owners: string;
  last_run_state: string | null;
  last_run_date: string | null;
  entity_count: number;
}

const num = (value: unknown) => Number(value ?? 0);
const parseList = (text: string | null): string[] =>
  text ? (JSON.parse(text) as string[]) : [];

/** `%word%` for LIKE, with the wildcards of the word escaped (ESCAPE '\'). */
function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, c => `\\${c}`)}%`;
}

/** Integers we numbered ourselves, inlined: no bound-parameter limit however many entities are hidden. */
function intList(values: number[]): string {
  return values
    .map(v => {
      if (!Number.isSafeInteger(v)) throw new Error(`Not an integer: ${v}`);
      return String(v);
    })
    .join(',');
}

/**
 * The ownership index in the plugin's own database (knex; SQLite and
 * PostgreSQL). A rebuild writes a complete new generation of rows and then
 * switches `airflow_ownership_state.current_generation` to it in one
 * statement, so readers see the old index or the new one, never a part of
 * one; a build that dies leaves the previous generation served, and its rows
 * are removed by a later build. Superseded generations are kept a minute for
 * reads that started before the switch.
 */
export class OwnershipStore {
  readonly #db: Knex;

  /** Runs the plugin's migrations (unless the app skips them) and opens the store. */
  static async create(database: DatabaseService): Promise<OwnershipStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({ directory: MIGRATIONS_DIR });
    }
    return new OwnershipStore(db);
  }

  constructor(db: Knex) {
    this.#db = db;
  }

  // ---- state ----

  async state(): Promise<StoreState> {
    const row = await this.#db(`${T.state} as s`)
      .leftJoin(`${T.generations} as g`, 'g.id', 's.current_generation')
      .where('s.id', 1)
      .first(
        's.current_generation',
        's.last_attempt_at',
        's.last_error',
        'g.completed_at',
      );
    const generation =
      row?.current_generation === null || row?.current_generation === undefined
        ? null
        : num(row.current_generation);
    const instances =
      generation === null
        ? []
        : (
            await this.#db(T.instances)
              .where('generation_id', generation)
              .orderBy('instance')
          ).map(r => ({
            instance: r.instance as string,
            refreshedAt: r.refreshed_at === null ? null : num(r.refreshed_at),
            error: r.error
              ? (JSON.parse(r.error) as AirflowInstanceError)
              : null,
            dagCount: num(r.dag_count),
          }));
    return {
      generation,
      builtAt: row?.completed_at ? num(row.completed_at) : null,
      lastAttemptAt: row?.last_attempt_at ? num(row.last_attempt_at) : null,
      lastError: row?.last_error ?? null,
      instances,
    };
  }

  /** Records a refresh attempt that produced no new generation. */
  async recordFailure(attemptedAt: number, error: string): Promise<void> {
    await this.#ensureStateRow();
    await this.#db(T.state)
      .where('id', 1)
      .update({ last_attempt_at: attemptedAt, last_error: error });
  }

  async #ensureStateRow() {
    await this.#db(T.state)
      .insert({ id: 1, current_generation: null })
      .onConflict('id')
      .ignore();
  }

  // ---- writing a generation ----

  /**
   * Removes generations nobody reads any more: superseded ones after the
   * grace period, and those of builds that died.
   */
  async removeStaleGenerations(now: number = Date.now()): Promise<number> {
    const current = (await this.state()).generation;
    // One transaction, the stale generation rows locked first (PostgreSQL;
    // SQLite runs one writer at a time): a slow build cannot complete while
    // its rows are removed, and finds its generation gone afterwards (see
    // complete()).
    const isPostgres = /^(pg|postgres)/.test(
      String(this.#db.client.config.client),
    );
    return this.#db.transaction(async trx => {
      let select = trx(T.generations)
        .where(q =>
          q
            .where('superseded_at', '<', now - SUPERSEDED_GRACE_MS)
            .orWhere(b =>
              b
                .whereNull('completed_at')
                .andWhere('started_at', '<', now - ABANDONED_BUILD_MS),
            ),
        )
        .select('id');
      if (isPostgres) select = select.forUpdate();
      const stale = (await select)
        .map(r => num(r.id))
        .filter(id => id !== current);
      if (stale.length === 0) return 0;
      for (const table of GENERATION_TABLES) {
        await trx(table).whereIn('generation_id', stale).delete();
      }
      await trx(T.generations).whereIn('id', stale).delete();
      return stale.length;
    });
  }

  /** Starts a generation; its rows are invisible to readers until {@link OwnershipStore.complete}. */
  async startGeneration(now: number = Date.now()): Promise<number> {
    await this.#ensureStateRow();
    const [row] = await this.#db(T.generations)
      .insert({ started_at: now })
      .returning('id');
    return num(typeof row === 'object' ? row.id : row);
  }

  async insertDags(generation: number, rows: DagRow[]): Promise<void> {
    await this.#insert(
      T.dags,
      rows.map(r => ({
        generation_id: generation,
        dag_no: r.dagNo,
        instance: r.instance,
        dag_id: r.dagId,
        display_name: r.displayName,
        web_url: r.webUrl,
        is_paused: r.isPaused,
        schedule: r.schedule,
        tags: JSON.stringify(r.tags),
        airflow_owners: JSON.stringify(r.airflowOwners),
        last_run_state: r.lastRunState,
        last_run_date: r.lastRunDate,
        last_run_at: r.lastRunDate ? Date.parse(r.lastRunDate) : null,
        search: [r.dagId, r.displayName, ...r.tags, ...r.airflowOwners]
          .join('\n')
          .toLocaleLowerCase('en-US'),
        entity_count: r.entityCount,
        owner_sort: r.ownerSort,
      })),
    );
  }

  /** Sets the owners sort key of DAGs written without one (those copied from a previous generation). */
  async setOwnerSort(
    generation: number,
    byDag: Map<number, string>,
  ): Promise<void> {
    const byValue = new Map<string, number[]>();
    for (const [dagNo, value] of byDag) {
      byValue.set(value, [...(byValue.get(value) ?? []), dagNo]);
    }
    for (const [value, dagNos] of byValue) {
      for (let i = 0; i < dagNos.length; i += INSERT_BATCH_ROWS) {
        await this.#db(T.dags)
          .where('generation_id', generation)
          .whereIn('dag_no', dagNos.slice(i, i + INSERT_BATCH_ROWS))
          .update({ owner_sort: value });
      }
    }
  }

  /** Counts the links of the DAGs of `instance` (after copying them and linking them anew). */
  async recountEntities(generation: number, instance: string): Promise<void> {
    await this.#db.raw(
      `UPDATE ${T.dags} SET entity_count = (SELECT COUNT(*) FROM ${T.links} l
         WHERE l.generation_id = ${T.dags}.generation_id AND l.dag_no = ${T.dags}.dag_no)
       WHERE generation_id = ? AND instance = ?`,
      [generation, instance],
    );
  }

  /** How many DAG numbers the DAGs of `instance` in generation `from` span. */
  async dagNoSpan(from: number, instance: string): Promise<number> {
    const bounds = await this.#db(T.dags)
      .where({ generation_id: from, instance })
      .min('dag_no as lo')
      .max('dag_no as hi')
      .first();
    if (bounds?.lo === null || bounds?.lo === undefined) return 0;
    return num(bounds.hi) - num(bounds.lo) + 1;
  }

  /**
   * Copies the DAGs of `instance` from generation `from` (the last good ones
   * of an instance that could not be read), numbering them from `firstDagNo`.
   * Answers the copied DAGs' numbers, ids and tags, and the next free number.
   */
  async copyInstanceDags(
    generation: number,
    from: number,
    instance: string,
    firstDagNo: number,
  ): Promise<{
    dags: { dagNo: number; dagId: string; tags: string[] }[];
    nextDagNo: number;
  }> {
    const bounds = await this.#db(T.dags)
      .where({ generation_id: from, instance })
      .min('dag_no as lo')
      .max('dag_no as hi')
      .first();
    if (bounds?.lo === null || bounds?.lo === undefined) {
      return { dags: [], nextDagNo: firstDagNo };
    }
    const shift = firstDagNo - num(bounds.lo);
    const columns =
      'instance, dag_id, display_name, web_url, is_paused, schedule, tags, airflow_owners, last_run_state, last_run_date, last_run_at, search';
    await this.#db.raw(
      `INSERT INTO ${T.dags} (generation_id, dag_no, entity_count, ${columns})
       SELECT ?, dag_no + ?, 0, ${columns} FROM ${T.dags} WHERE generation_id = ? AND instance = ?`,
      [generation, shift, from, instance],
    );
    const copied = await this.#db(T.dags)
      .where({ generation_id: generation, instance })
      .select('dag_no', 'dag_id', 'tags');
    return {
      dags: copied.map(r => ({
        dagNo: num(r.dag_no),
        dagId: r.dag_id,
        tags: parseList(r.tags),
      })),
      nextDagNo: num(bounds.hi) + shift + 1,
    };
  }

  async insertEntities(generation: number, rows: EntityRow[]): Promise<void> {
    await this.#insert(
      T.entities,
      rows.map(r => ({
        generation_id: generation,
        entity_no: r.entityNo,
        entity_ref: r.entityRef,
        title: r.title,
        owners: JSON.stringify(r.owners),
      })),
    );
    const owners: object[] = [];
    for (const r of rows) {
      const direct = new Set(r.owners.map(o => o.toLocaleLowerCase('en-US')));
      for (const o of direct) {
        owners.push({
          generation_id: generation,
          entity_no: r.entityNo,
          owner_ref: o,
          direct: true,
        });
      }
      for (const a of new Set(
        r.ancestors.map(o => o.toLocaleLowerCase('en-US')),
      )) {
        if (direct.has(a)) continue;
        owners.push({
          generation_id: generation,
          entity_no: r.entityNo,
          owner_ref: a,
          direct: false,
        });
      }
    }
    await this.#insert(T.owners, owners);
  }

  async insertLinks(
    generation: number,
    links: { dagNo: number; entityNo: number; namedBy: 'id' | 'tag' }[],
  ): Promise<void> {
    await this.#insert(
      T.links,
      links.map(l => ({
        generation_id: generation,
        dag_no: l.dagNo,
        entity_no: l.entityNo,
        named_by: l.namedBy,
      })),
    );
  }

  async insertDangling(
    generation: number,
    rows: {
      entityNo: number;
      instance: string;
      dagId: string;
      reason: AirflowDanglingReference['reason'];
      search: string;
    }[],
  ): Promise<void> {
    await this.#insert(
      T.dangling,
      rows.map(r => ({
        generation_id: generation,
        entity_no: r.entityNo,
        instance: r.instance,
        dag_id: r.dagId,
        reason: r.reason,
        search: r.search.toLocaleLowerCase('en-US'),
      })),
    );
  }

  async insertInstances(
    generation: number,
    rows: StoredInstance[],
  ): Promise<void> {
    await this.#insert(
      T.instances,
      rows.map(r => ({
        generation_id: generation,
        instance: r.instance,
        refreshed_at: r.refreshedAt,
        error: r.error ? JSON.stringify(r.error) : null,
        dag_count: r.dagCount,
      })),
    );
  }

  /**
   * Finishes a generation and makes it the one readers get, in one statement
   * (unless a newer generation became current meanwhile).
   */
  async complete(
    generation: number,
    outcome: { attemptedAt: number; error: string | null },
    now: number = Date.now(),
  ): Promise<boolean> {
    const completed = await this.#db(T.generations)
      .where('id', generation)
      .whereNull('completed_at')
      .update({ completed_at: now });
    if (completed === 0) {
      throw new Error(
        `ownership index build ${generation} took longer than ${
          ABANDONED_BUILD_MS / 60_000
        } minutes and was removed as abandoned; the next refresh builds a new one`,
      );
    }
    const previous = (await this.state()).generation;
    const switched = await this.#db(T.state)
      .where('id', 1)
      .andWhere(q =>
        q
          .whereNull('current_generation')
          .orWhere('current_generation', '<', generation),
      )
      .update({
        current_generation: generation,
        last_attempt_at: outcome.attemptedAt,
        last_error: outcome.error,
      });
    const superseded = switched > 0 ? previous : generation;
    if (superseded !== null) {
      await this.#db(T.generations)
        .where('id', superseded)
        .update({ superseded_at: now });
    }
    return switched > 0;
  }

  async #insert(table: string, rows: object[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_BATCH_ROWS) {
      await this.#db(table).insert(rows.slice(i, i + INSERT_BATCH_ROWS));
    }
  }

  // ---- reading ----

  async entities(generation: number): Promise<StoredEntity[]> {
    const rows = await this.#db(T.entities)
      .where('generation_id', generation)
      .orderBy('entity_no')
      .select('entity_no', 'entity_ref', 'title', 'owners');
    return rows.map(r => ({
      entityNo: num(r.entity_no),
      entityRef: r.entity_ref,
      title: r.title,
      owners: parseList(r.owners),
    }));
  }

  /** Counts over every DAG of the generation (and the readable dangling references). */
  async summary(
    generation: number,
    hiddenEntityNos: number[],
  ): Promise<AirflowOwnershipSummary> {
    const dags = await this.#db(T.dags)
      .where('generation_id', generation)
      .first(
        this.#db.raw('COUNT(*) as total'),
        this.#db.raw(
          'SUM(CASE WHEN entity_count > 0 THEN 1 ELSE 0 END) as owned',
        ),
        this.#db.raw(
          "SUM(CASE WHEN last_run_state = 'failed' THEN 1 ELSE 0 END) as failing",
        ),
        this.#db.raw('SUM(CASE WHEN is_paused THEN 1 ELSE 0 END) as paused'),
      );
    const dangling = await this.#db(`${T.dangling} as x`)
      .where('x.generation_id', generation)
      .modify(q => this.#visible(q, 'x.entity_no', hiddenEntityNos))
      .count({ n: '*' })
      .first();
    const total = num(dags?.total);
    const owned = num(dags?.owned);
    return {
      total,
      owned,
      orphans: total - owned,
      dangling: num(dangling?.n),
      failing: num(dags?.failing),
      paused: num(dags?.paused),
    };
  }

  /** How many DAGs match, and the page of them. */
  async dagPage(
    generation: number,
    filters: ResolvedFilters,
    order: DagOrder,
    page: { limit: number; offset: number },
    entities: Map<number, StoredEntity>,
  ): Promise<{ total: number; dags: AirflowOwnershipDag[] }> {
    const countRow = await this.#dagQuery(generation, filters)
      .count({ n: '*' })
      .first();
    const total = num(countRow?.n);
    if (total === 0 || page.offset >= total) return { total, dags: [] };
    const dags = await this.dagSlice(
      generation,
      filters,
      order,
      page,
      entities,
    );
    return { total, dags };
  }

  /** A slice of the matching DAGs in order, with their readable entities (for pages and the export). */
  async dagSlice(
    generation: number,
    filters: ResolvedFilters,
    order: DagOrder,
    page: { limit: number; offset: number },
    entities: Map<number, StoredEntity>,
  ): Promise<AirflowOwnershipDag[]> {
    const query = this.#dagQuery(generation, filters).select(
      'd.dag_no',
      'd.instance',
      'd.dag_id',
      'd.display_name',
      'd.web_url',
      'd.is_paused',
      'd.schedule',
      'd.tags',
      'd.airflow_owners',
      'd.last_run_state',
      'd.last_run_date',
      'd.entity_count',
    );
    this.#orderDags(query, generation, order, filters.hiddenEntityNos);
    const rows: RawDag[] = await query.limit(page.limit).offset(page.offset);
    if (rows.length === 0) return [];
    const links = await this.#db(T.links)
      .where('generation_id', generation)
      .whereIn(
        'dag_no',
        rows.map(r => r.dag_no),
      )
      .select('dag_no', 'entity_no', 'named_by');
    const hidden = new Set(filters.hiddenEntityNos);
    const byDag = new Map<number, AirflowDagEntity[]>();
    for (const link of links) {
      const entityNo = num(link.entity_no);
      const entity = entities.get(entityNo);
      if (!entity || hidden.has(entityNo)) continue;
      const dagNo = num(link.dag_no);
      const list = byDag.get(dagNo) ?? [];
      list.push({
        entityRef: entity.entityRef,
        title: entity.title,
        owners: entity.owners,
        namedBy: link.named_by === 'tag' ? 'tag' : 'id',
      });
      byDag.set(dagNo, list);
    }
    return rows.map(r => {
      const visible = (byDag.get(num(r.dag_no)) ?? []).sort((a, b) =>
        a.entityRef.localeCompare(b.entityRef),
      );
      const entityCount = num(r.entity_count);
      return {
        instance: r.instance,
        dagId: r.dag_id,
        displayName: r.display_name,
        webUrl: r.web_url,
        isPaused: Boolean(r.is_paused),
        schedule: r.schedule,
        tags: parseList(r.tags),
        airflowOwners: parseList(r.airflow_owners),
        lastRunState: r.last_run_state as AirflowOwnershipDag['lastRunState'],
        lastRunDate: r.last_run_date,
        entities: visible,
        owners: [...new Set(visible.flatMap(e => e.owners))].sort(),
        hiddenEntityCount: entityCount - visible.length,
        isOrphan: entityCount === 0,
      };
    });
  }

  async danglingPage(
    generation: number,
    filters: ResolvedFilters,
    page: { limit: number; offset: number },
    entities: Map<number, StoredEntity>,
  ): Promise<{ total: number; dangling: AirflowDanglingReference[] }> {
    const base = () => {
      const q = this.#db(`${T.dangling} as x`).where(
        'x.generation_id',
        generation,
      );
      this.#visible(q, 'x.entity_no', filters.hiddenEntityNos);
      if (filters.instance) q.where('x.instance', filters.instance);
      if (filters.ownerRefs) {
        this.#ownedBy(q, generation, 'x.entity_no', filters.ownerRefs, filters);
      }
      if (filters.mineRefs) {
        this.#ownedBy(q, generation, 'x.entity_no', filters.mineRefs, filters);
      }
      for (const word of filters.words) {
        const pattern = likePattern(word);
        q.where(w =>
          w
            .whereRaw(`x.search LIKE ? ESCAPE '\\'`, [pattern])
            .orWhereExists(this.#ownerLike(generation, 'x.entity_no', pattern)),
        );
      }
      return q;
    };
    const countRow = await base().count({ n: '*' }).first();
    const total = num(countRow?.n);
    if (total === 0 || page.offset >= total) return { total, dangling: [] };
    const rows = await base()
      .join(`${T.entities} as e`, j =>
        j
          .on('e.generation_id', '=', 'x.generation_id')
          .andOn('e.entity_no', '=', 'x.entity_no'),
      )
      .select('x.entity_no', 'x.instance', 'x.dag_id', 'x.reason')
      .orderBy([
        { column: 'e.entity_ref' },
        { column: 'x.instance' },
        { column: 'x.dag_id' },
      ])
      .limit(page.limit)
      .offset(page.offset);
    return {
      total,
      dangling: rows.map(r => {
        const entity = entities.get(num(r.entity_no));
        return {
          entityRef: entity?.entityRef ?? '',
          owners: entity?.owners ?? [],
          instance: r.instance,
          dagId: r.dag_id,
          reason: r.reason,
        };
      }),
    };
  }

  #visible(q: Knex.QueryBuilder, column: string, hidden: number[]) {
    if (hidden.length > 0) {
      q.whereRaw(`?? NOT IN (${intList(hidden)})`, [column]);
    }
    return q;
  }

  /** Owner rows of the entity in `entityColumn` (direct ones unless child groups count). */
  #ownedBy(
    q: Knex.QueryBuilder,
    generation: number,
    entityColumn: string,
    refs: string[],
    filters: ResolvedFilters,
  ) {
    if (refs.length === 0) {
      q.whereRaw('1 = 0');
      return;
    }
    q.whereExists(sub => {
      sub
        .select(this.#db.raw('1'))
        .from(`${T.owners} as o`)
        .where('o.generation_id', generation)
        .andWhereRaw('o.entity_no = ??', [entityColumn])
        .whereIn('o.owner_ref', refs);
      if (!filters.includeChildGroups) sub.andWhereRaw('o.direct = TRUE');
    });
  }

  /** A readable direct owner of the entity in `entityColumn` matching `pattern`. */
  #ownerLike(generation: number, entityColumn: string, pattern: string) {
    return this.#db(`${T.owners} as o`)
      .select(this.#db.raw('1'))
      .where('o.generation_id', generation)
      .andWhereRaw('o.entity_no = ??', [entityColumn])
      .andWhereRaw('o.direct = TRUE')
      .andWhereRaw(`o.owner_ref LIKE ? ESCAPE '\\'`, [pattern]);
  }

  /** The DAGs of the generation matching the filters, as `d`. */
  #dagQuery(generation: number, filters: ResolvedFilters): Knex.QueryBuilder {
    const q = this.#db(`${T.dags} as d`).where('d.generation_id', generation);
    if (filters.instance) q.where('d.instance', filters.instance);
    if (filters.owned) q.where('d.entity_count', '>', 0);
    if (filters.orphans) q.where('d.entity_count', 0);
    if (filters.failing) q.where('d.last_run_state', 'failed');
    if (filters.paused) q.whereRaw('d.is_paused = TRUE');
    // The DAGs linked to a readable entity with a matching owner row: one
    // uncorrelated subquery each (evaluated once, not once per DAG).
    const linkedTo = (owner: (o: Knex.QueryBuilder) => void) => {
      const sub = this.#db(`${T.links} as l`)
        .join(`${T.owners} as o`, j =>
          j
            .on('o.generation_id', '=', 'l.generation_id')
            .andOn('o.entity_no', '=', 'l.entity_no'),
        )
        .where('l.generation_id', generation)
        .select('l.dag_no');
      this.#visible(sub, 'l.entity_no', filters.hiddenEntityNos);
      owner(sub);
      return sub;
    };
    for (const refs of [filters.ownerRefs, filters.mineRefs]) {
      if (!refs) continue;
      if (refs.length === 0) {
        q.whereRaw('1 = 0');
        continue;
      }
      q.whereIn(
        'd.dag_no',
        linkedTo(o => {
          o.whereIn('o.owner_ref', refs);
          if (!filters.includeChildGroups) o.andWhereRaw('o.direct = TRUE');
        }),
      );
    }
    for (const word of filters.words) {
      const pattern = likePattern(word);
      q.where(w =>
        w.whereRaw(`d.search LIKE ? ESCAPE '\\'`, [pattern]).orWhereIn(
          'd.dag_no',
          linkedTo(o =>
            o
              .andWhereRaw('o.direct = TRUE')
              .andWhereRaw(`o.owner_ref LIKE ? ESCAPE '\\'`, [pattern]),
          ),
        ),
      );
    }
    return q;
  }

  #orderDags(
    q: Knex.QueryBuilder,
    generation: number,
    { sort, order }: DagOrder,
    hidden: number[],
  ) {
    const dir = order === 'desc' ? 'desc' : 'asc';
    // NULLS LAST (SQLite 3.30+, PostgreSQL): DAGs that never ran, or without a readable owner, come last.
    if (sort === 'lastRun') {
      q.orderByRaw(`d.last_run_at ${dir} NULLS LAST`);
    } else if (sort === 'owners' && hidden.length === 0) {
      // Every entity readable: the key the build wrote (the same value as below).
      q.orderByRaw(`d.owner_sort ${dir} NULLS LAST`);
    } else if (sort === 'owners') {
      // Some entities hidden from the caller: their owners must not decide the order.
      const hiddenClause =
        hidden.length > 0 ? `AND l.entity_no NOT IN (${intList(hidden)})` : '';
      q.orderByRaw(
        `(SELECT MIN(o.owner_ref) FROM ${T.links} l JOIN ${T.owners} o
           ON o.generation_id = l.generation_id AND o.entity_no = l.entity_no AND o.direct = TRUE
         WHERE l.generation_id = ? AND l.dag_no = d.dag_no ${hiddenClause}) ${dir} NULLS LAST`,
        [generation],
      );
    } else if (sort === 'dagId') {
      q.orderBy('d.dag_id', dir);
    } else {
      q.orderBy('d.instance', dir);
    }
    q.orderBy([
      { column: 'd.instance', order: sort === 'instance' ? dir : 'asc' },
      {
        column: 'd.dag_id',
        order: sort === 'dagId' || sort === 'instance' ? dir : 'asc',
      },
    ]);
  }
}
