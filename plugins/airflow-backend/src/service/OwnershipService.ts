import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type {
  AirflowDanglingPage,
  AirflowOwnershipDag,
  AirflowOwnershipIndexStatus,
  AirflowOwnershipPage,
  AirflowOwnershipQuery,
  AirflowOwnershipSort,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** Order of the ownership view's DAGs. */
export interface OwnershipOrder {
  sort?: AirflowOwnershipSort;
  order?: 'asc' | 'desc';
}

/** A page of the ownership view. */
export interface OwnershipPaging {
  limit?: number;
  offset?: number;
}

/**
 * The ownership index: every DAG of every instance joined with the catalog
 * entities that name it and their owners, plus orphans (DAGs no entity names)
 * and dangling references (annotated DAG ids that do not exist), stored in
 * the plugin's database and read page by page, filtered for the caller.
 */
export interface OwnershipService {
  /**
   * Rebuilds the index (the scheduler calls this once per interval across
   * replicas). Never throws: failures are recorded and reported by reads.
   */
  refresh(): Promise<void>;
  /**
   * An on-demand rebuild, unless the index is younger than `minAgeMs`
   * (default 30 s) and the latest refresh succeeded; answers the index state.
   */
  refreshIfOlderThan(minAgeMs?: number): Promise<AirflowOwnershipIndexStatus>;
  /**
   * Checks `airflow.ownership.read` for the caller.
   *
   * @throws NotAllowedError when the policy denies.
   */
  authorizeView(credentials: BackstageCredentials): Promise<void>;
  /**
   * One page of DAGs matching `query`, with the summary counts, as the
   * caller may see it (entities they may not read in the catalog are only
   * counted). Builds the index first when there is none.
   *
   * @throws NotAllowedError without `airflow.ownership.read`.
   */
  getPage(
    credentials: BackstageCredentials,
    query: AirflowOwnershipQuery,
    order?: OwnershipOrder,
    paging?: OwnershipPaging,
  ): Promise<AirflowOwnershipPage>;
  /** One page of the dangling references of readable entities matching `query`. */
  getDangling(
    credentials: BackstageCredentials,
    query: AirflowOwnershipQuery,
    paging?: OwnershipPaging,
  ): Promise<AirflowDanglingPage>;
  /**
   * Every DAG matching `query` in order, read from the database in slices
   * (for the CSV export). The permission is checked before the first slice.
   */
  exportDags(
    credentials: BackstageCredentials,
    query: AirflowOwnershipQuery,
    order?: OwnershipOrder,
  ): Promise<AsyncIterable<AirflowOwnershipDag>>;
}
