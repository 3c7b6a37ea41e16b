import type {
  AirflowDanglingReference,
  AirflowOwnershipDag,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { toCsv } from './csv';

/**
 * The filters of the ownership view. Status filters (`owned`, `orphans`,
 * `failing`, `paused`) combine with AND, like the instance and owner selects.
 */
export interface OwnershipFilters {
  /** Only DAGs of this instance; all instances when empty. */
  instance: string;
  /** Only DAGs with this owner (an entity ref); all owners when empty. */
  owner: string;
  /** Only DAGs owned by the signed-in user or one of their groups. */
  mine: boolean;
  /** Only DAGs named by at least one entity. */
  owned: boolean;
  /** Only DAGs no entity names. */
  orphans: boolean;
  /** Only DAGs whose last run failed. */
  failing: boolean;
  /** Only paused DAGs. */
  paused: boolean;
}

/** The boolean filters. */
export type OwnershipFlag = 'mine' | 'owned' | 'orphans' | 'failing' | 'paused';

/** The filters showing every DAG. */
export const NO_OWNERSHIP_FILTERS: OwnershipFilters = {
  instance: '',
  owner: '',
  mine: false,
  owned: false,
  orphans: false,
  failing: false,
  paused: false,
};

/** Query parameter of each filter; flags are `1` when set. */
export const OWNERSHIP_FILTER_PARAMS: Record<keyof OwnershipFilters, string> = {
  instance: 'instance',
  owner: 'owner',
  mine: 'mine',
  owned: 'owned',
  orphans: 'orphans',
  failing: 'failing',
  paused: 'paused',
};

const FLAGS: OwnershipFlag[] = [
  'mine',
  'owned',
  'orphans',
  'failing',
  'paused',
];

/** Reads the filters from query parameters; unknown values are ignored. */
export function filtersFromSearchParams(
  params: URLSearchParams,
): OwnershipFilters {
  const filters = { ...NO_OWNERSHIP_FILTERS };
  filters.instance = params.get(OWNERSHIP_FILTER_PARAMS.instance) ?? '';
  filters.owner = params.get(OWNERSHIP_FILTER_PARAMS.owner) ?? '';
  for (const flag of FLAGS) {
    filters[flag] = params.get(OWNERSHIP_FILTER_PARAMS[flag]) === '1';
  }
  return filters;
}

/**
 * Writes the filters into a copy of `previous` (other parameters are kept);
 * filters at their default are removed.
 */
export function filtersToSearchParams(
  filters: OwnershipFilters,
  previous: URLSearchParams,
): URLSearchParams {
  const next = new URLSearchParams(previous);
  for (const key of ['instance', 'owner'] as const) {
    if (filters[key]) next.set(OWNERSHIP_FILTER_PARAMS[key], filters[key]);
    else next.delete(OWNERSHIP_FILTER_PARAMS[key]);
  }
  for (const flag of FLAGS) {
    if (filters[flag]) next.set(OWNERSHIP_FILTER_PARAMS[flag], '1');
    else next.delete(OWNERSHIP_FILTER_PARAMS[flag]);
  }
  return next;
}

/**
 * Sets one flag. `owned` and `orphans` exclude each other, and so do
 * `orphans` and `mine` (an orphan has no owner), so setting one clears the other.
 */
export function withFlag(
  filters: OwnershipFilters,
  flag: OwnershipFlag,
  value: boolean,
): OwnershipFilters {
  const next = { ...filters, [flag]: value };
  if (value && flag === 'orphans') {
    next.owned = false;
    next.mine = false;
  }
  if (value && (flag === 'owned' || flag === 'mine')) next.orphans = false;
  return next;
}

/** Entity refs compare case-insensitively. */
export function normalizeEntityRef(ref: string): string {
  return ref.toLocaleLowerCase('en-US');
}

/** True when the DAG's latest run failed. */
export function isFailing(dag: AirflowOwnershipDag): boolean {
  return dag.lastRunState === 'failed';
}

/** True when one of the DAG's owners is one of `refs` (compared case-insensitively). */
export function isOwnedByAny(
  dag: Pick<AirflowOwnershipDag, 'owners'>,
  refs: readonly string[],
): boolean {
  if (refs.length === 0) return false;
  const wanted = new Set(refs.map(normalizeEntityRef));
  return dag.owners.some(owner => wanted.has(normalizeEntityRef(owner)));
}

/** The DAGs whose owners include `ownerRef`, e.g. the DAGs of a group. */
export function dagsOwnedBy(
  dags: readonly AirflowOwnershipDag[],
  ownerRef: string,
): AirflowOwnershipDag[] {
  return dags.filter(dag => isOwnedByAny(dag, [ownerRef]));
}

/** True when the DAG matches the free-text search (case-insensitive, every word). */
export function matchesSearch(dag: AirflowOwnershipDag, search: string) {
  const words = search.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [
    dag.instance,
    dag.dagId,
    dag.displayName,
    dag.schedule ?? '',
    dag.lastRunState ?? '',
    ...dag.owners,
    ...dag.tags,
    ...dag.airflowOwners,
    ...dag.entities.flatMap(e => [e.entityRef, e.title]),
  ]
    .join('\n')
    .toLocaleLowerCase();
  return words.every(word => haystack.includes(word));
}

/**
 * The DAGs matching every filter and the search text.
 * @param myOwnershipRefs - the signed-in user's ownership entity refs, used by `mine`
 */
export function filterOwnershipDags(
  dags: readonly AirflowOwnershipDag[],
  filters: OwnershipFilters,
  myOwnershipRefs: readonly string[],
  search: string = '',
): AirflowOwnershipDag[] {
  const owner = filters.owner ? normalizeEntityRef(filters.owner) : '';
  return dags.filter(
    dag =>
      (!filters.instance || dag.instance === filters.instance) &&
      (!owner || dag.owners.some(o => normalizeEntityRef(o) === owner)) &&
      (!filters.mine || isOwnedByAny(dag, myOwnershipRefs)) &&
      (!filters.owned || !dag.isOrphan) &&
      (!filters.orphans || dag.isOrphan) &&
      (!filters.failing || isFailing(dag)) &&
      (!filters.paused || dag.isPaused) &&
      matchesSearch(dag, search),
  );
}

/** Sorted distinct values. */
function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => a.localeCompare(b));
}

/** Every owner of the DAGs and dangling references, sorted. */
export function ownersOf(
  dags: readonly AirflowOwnershipDag[],
  dangling: readonly AirflowDanglingReference[] = [],
): string[] {
  return distinct([
    ...dags.flatMap(d => d.owners),
    ...dangling.flatMap(d => d.owners),
  ]);
}

/** Every instance of the DAGs, sorted. */
export function instancesOf(dags: readonly AirflowOwnershipDag[]): string[] {
  return distinct(dags.map(d => d.instance));
}

/** Header of {@link ownershipCsv}. */
export const OWNERSHIP_CSV_HEADER = [
  'instance',
  'dag_id',
  'display_name',
  'owners',
  'entities',
  'paused',
  'last_run_state',
  'schedule',
  'orphan',
] as const;

/**
 * The DAGs as CSV, one row per DAG in the given order. Owners and entities
 * are entity refs joined with `; `. Entities the caller may not see are
 * not listed.
 */
export function ownershipCsv(dags: readonly AirflowOwnershipDag[]): string {
  return toCsv(
    OWNERSHIP_CSV_HEADER,
    dags.map(dag => [
      dag.instance,
      dag.dagId,
      dag.displayName,
      dag.owners.join('; '),
      dag.entities.map(e => e.entityRef).join('; '),
      dag.isPaused,
      dag.lastRunState ?? '',
      dag.schedule ?? '',
      dag.isOrphan,
    ]),
  );
}

/** "1 entity you cannot see" / "2 entities you cannot see". */
export function hiddenEntitiesText(count: number): string {
  return `${count} ${count === 1 ? 'entity' : 'entities'} you cannot see`;
}

/**
 * When the index was built, in epoch milliseconds of the local clock: the
 * server's `ageSeconds` counted back from when the answer arrived (immune to
 * clock skew), else `builtAt`. Undefined when the index was never built.
 */
export function indexBuiltAtMillis(
  response: { builtAt: string | null; ageSeconds: number | null },
  receivedAtMillis: number,
): number | undefined {
  if (response.ageSeconds !== null && Number.isFinite(response.ageSeconds)) {
    return receivedAtMillis - response.ageSeconds * 1000;
  }
  if (response.builtAt) {
    const parsed = Date.parse(response.builtAt);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return undefined;
}
