import {
  OWNERSHIP_PAGE_SIZE_DEFAULT,
  OWNERSHIP_PAGE_SIZE_MAX,
  OWNERSHIP_SEARCH_MAX_LENGTH,
  type AirflowOwnershipQuery,
  type AirflowOwnershipSort,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/**
 * The view of the ownership page, as kept in the URL so that a view can be
 * shared. The server filters, sorts and pages; status filters (`owned`,
 * `orphans`, `failing`, `paused`) combine with AND, like the other filters.
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
  /** Free text: every word must match the DAG id, display name, tags or owners. */
  q: string;
  /** `owner` and `mine` include the DAGs of child groups' entities. */
  includeChildGroups: boolean;
}

/** The boolean filters. */
export type OwnershipFlag = 'mine' | 'owned' | 'orphans' | 'failing' | 'paused';

/** Order and page of the DAG table, and page of the dangling table. */
export interface OwnershipView {
  sort: AirflowOwnershipSort;
  order: 'asc' | 'desc';
  /** Zero-based page of the DAG table. */
  page: number;
  pageSize: number;
  /** Zero-based page of the dangling references table. */
  danglingPage: number;
}

/** The filters showing every DAG. */
export const NO_OWNERSHIP_FILTERS: OwnershipFilters = {
  instance: '',
  owner: '',
  mine: false,
  owned: false,
  orphans: false,
  failing: false,
  paused: false,
  q: '',
  includeChildGroups: true,
};

/** The default order and pages. */
export const DEFAULT_OWNERSHIP_VIEW: OwnershipView = {
  sort: 'instance',
  order: 'asc',
  page: 0,
  pageSize: OWNERSHIP_PAGE_SIZE_DEFAULT,
  danglingPage: 0,
};

/** Page sizes the DAG table offers. */
export const OWNERSHIP_PAGE_SIZES = [25, 50, OWNERSHIP_PAGE_SIZE_MAX];
/** Page size of the dangling references table. */
export const DANGLING_PAGE_SIZE = 10;

/** Query parameter of each filter; flags are `1` when set (`children=0` turns child groups off). */
export const OWNERSHIP_FILTER_PARAMS = {
  instance: 'instance',
  owner: 'owner',
  mine: 'mine',
  owned: 'owned',
  orphans: 'orphans',
  failing: 'failing',
  paused: 'paused',
  q: 'q',
  includeChildGroups: 'children',
} as const satisfies Record<keyof OwnershipFilters, string>;

/** Query parameter of each part of the view. */
export const OWNERSHIP_VIEW_PARAMS = {
  sort: 'sort',
  order: 'order',
  page: 'page',
  pageSize: 'size',
  danglingPage: 'dpage',
} as const satisfies Record<keyof OwnershipView, string>;

const FLAGS: OwnershipFlag[] = [
  'mine',
  'owned',
  'orphans',
  'failing',
  'paused',
];
const SORTS: AirflowOwnershipSort[] = [
  'instance',
  'dagId',
  'lastRun',
  'owners',
];

/** Reads the filters from query parameters; unknown values are ignored. */
export function filtersFromSearchParams(
  params: URLSearchParams,
): OwnershipFilters {
  const filters = { ...NO_OWNERSHIP_FILTERS };
  filters.instance = params.get(OWNERSHIP_FILTER_PARAMS.instance) ?? '';
  filters.owner = params.get(OWNERSHIP_FILTER_PARAMS.owner) ?? '';
  filters.q = (params.get(OWNERSHIP_FILTER_PARAMS.q) ?? '').slice(
    0,
    OWNERSHIP_SEARCH_MAX_LENGTH,
  );
  for (const flag of FLAGS) {
    filters[flag] = params.get(OWNERSHIP_FILTER_PARAMS[flag]) === '1';
  }
  filters.includeChildGroups =
    params.get(OWNERSHIP_FILTER_PARAMS.includeChildGroups) !== '0';
  return filters;
}

function pageParam(value: string | null): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n - 1 : 0;
}

/** Reads the order and pages from query parameters (pages are 1-based there). */
export function viewFromSearchParams(params: URLSearchParams): OwnershipView {
  const sort = params.get(OWNERSHIP_VIEW_PARAMS.sort) as AirflowOwnershipSort;
  const size = Number(params.get(OWNERSHIP_VIEW_PARAMS.pageSize));
  return {
    sort: SORTS.includes(sort) ? sort : DEFAULT_OWNERSHIP_VIEW.sort,
    order: params.get(OWNERSHIP_VIEW_PARAMS.order) === 'desc' ? 'desc' : 'asc',
    page: pageParam(params.get(OWNERSHIP_VIEW_PARAMS.page)),
    pageSize: OWNERSHIP_PAGE_SIZES.includes(size)
      ? size
      : DEFAULT_OWNERSHIP_VIEW.pageSize,
    danglingPage: pageParam(params.get(OWNERSHIP_VIEW_PARAMS.danglingPage)),
  };
}

/**
 * Writes the filters and the view into a copy of `previous` (other
 * parameters are kept); values at their default are removed.
 */
export function toSearchParams(
  filters: OwnershipFilters,
  view: OwnershipView,
  previous: URLSearchParams,
): URLSearchParams {
  const next = new URLSearchParams(previous);
  const put = (key: string, value: string | undefined) => {
    if (value) next.set(key, value);
    else next.delete(key);
  };
  put(OWNERSHIP_FILTER_PARAMS.instance, filters.instance);
  put(OWNERSHIP_FILTER_PARAMS.owner, filters.owner);
  put(OWNERSHIP_FILTER_PARAMS.q, filters.q.trim());
  for (const flag of FLAGS) {
    put(OWNERSHIP_FILTER_PARAMS[flag], filters[flag] ? '1' : undefined);
  }
  put(
    OWNERSHIP_FILTER_PARAMS.includeChildGroups,
    filters.includeChildGroups ? undefined : '0',
  );
  put(
    OWNERSHIP_VIEW_PARAMS.sort,
    view.sort === DEFAULT_OWNERSHIP_VIEW.sort ? undefined : view.sort,
  );
  put(OWNERSHIP_VIEW_PARAMS.order, view.order === 'desc' ? 'desc' : undefined);
  put(
    OWNERSHIP_VIEW_PARAMS.page,
    view.page > 0 ? String(view.page + 1) : undefined,
  );
  put(
    OWNERSHIP_VIEW_PARAMS.pageSize,
    view.pageSize === DEFAULT_OWNERSHIP_VIEW.pageSize
      ? undefined
      : String(view.pageSize),
  );
  put(
    OWNERSHIP_VIEW_PARAMS.danglingPage,
    view.danglingPage > 0 ? String(view.danglingPage + 1) : undefined,
  );
  return next;
}

/** The filters as the API's query: only what is set. */
export function toOwnershipQuery(
  filters: OwnershipFilters,
): AirflowOwnershipQuery {
  const query: AirflowOwnershipQuery = {};
  if (filters.q.trim()) query.q = filters.q.trim();
  if (filters.instance) query.instance = filters.instance;
  if (filters.owner) query.owner = filters.owner;
  for (const flag of FLAGS) {
    if (filters[flag]) query[flag] = true;
  }
  if ((filters.owner || filters.mine) && !filters.includeChildGroups) {
    query.includeChildGroups = false;
  }
  return query;
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

/** True when any filter differs from {@link NO_OWNERSHIP_FILTERS}. */
export function isFiltered(filters: OwnershipFilters): boolean {
  return (Object.keys(NO_OWNERSHIP_FILTERS) as (keyof OwnershipFilters)[]).some(
    key =>
      key === 'q'
        ? filters.q.trim() !== ''
        : filters[key] !== NO_OWNERSHIP_FILTERS[key],
  );
}

/** "1 entity you cannot see" / "2 entities you cannot see". */
export function hiddenEntitiesText(count: number): string {
  return `${count} ${count === 1 ? 'entity' : 'entities'} you cannot see`;
}

/**
 * A server time in epoch milliseconds of the local clock: the server's age in
 * seconds counted back from when the answer arrived (immune to clock skew),
 * else the ISO time. Undefined when there is neither.
 */
export function serverTimeMillis(
  time: { at: string | null; ageSeconds: number | null },
  receivedAtMillis: number,
): number | undefined {
  if (time.ageSeconds !== null && Number.isFinite(time.ageSeconds)) {
    return receivedAtMillis - time.ageSeconds * 1000;
  }
  if (time.at) {
    const parsed = Date.parse(time.at);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return undefined;
}
