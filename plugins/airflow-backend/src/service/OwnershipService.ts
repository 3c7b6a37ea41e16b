import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { AirflowOwnershipResponse } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/**
 * The ownership index: every DAG of every instance joined with the catalog
 * entities that name it and their owners, plus orphans (DAGs no entity names)
 * and dangling references (annotated DAG ids that do not exist).
 */
export interface OwnershipService {
  /**
   * Rebuilds the index (the scheduler calls this once per interval across
   * replicas). Never throws: failures are recorded and reported by reads.
   */
  refresh(): Promise<void>;
  /** An on-demand rebuild, unless the index is younger than `minAgeMs` (default 30 s). */
  refreshIfOlderThan(minAgeMs?: number): Promise<void>;
  /**
   * Checks `airflow.ownership.read` for the caller.
   *
   * @throws NotAllowedError when the policy denies.
   */
  authorizeView(credentials: BackstageCredentials): Promise<void>;
  /**
   * The index as the caller may see it (entities they may not read in the
   * catalog are only counted). Builds it first when there is none.
   *
   * @throws NotAllowedError without `airflow.ownership.read`.
   */
  getOwnership(
    credentials: BackstageCredentials,
  ): Promise<AirflowOwnershipResponse>;
}
