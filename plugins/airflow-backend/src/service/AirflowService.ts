import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  AirflowDag,
  AirflowDagDetails,
  AirflowDagRun,
  AirflowDagRunList,
  AirflowEntityDagsResponse,
  AirflowInstanceStatus,
  AirflowTaskInstance,
  AirflowTriggeredDagRun,
  DagRunState,
  JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AuditEventStarter } from './audit';

/** Who is asking, and about which entity. */
export interface EntityRequestOptions {
  /** The entity that names the DAG(s). */
  entityRef: CompoundEntityRef;
  /** The caller's credentials; the entity is loaded and permissions checked on their behalf. */
  credentials: BackstageCredentials;
}

/** Identifies one DAG of an entity. */
export interface EntityDagRequestOptions extends EntityRequestOptions {
  /** Instance name. */
  instance: string;
  /** DAG id. */
  dagId: string;
}

/** A write: audited through the request's auditor event starter. */
export interface AuditedRequestOptions {
  /** Starts the auditor event of this request (bound to the HTTP request by the router). */
  audit: AuditEventStarter;
}

/** Options of {@link AirflowService.listDagRuns}. */
export interface ListEntityDagRunsOptions extends EntityDagRequestOptions {
  /** Page size, 1..100. */
  limit: number;
  /** Runs to skip. */
  offset: number;
  /** Only runs in these states. */
  states?: DagRunState[];
}

/** Options of {@link AirflowService.triggerDagRun}. */
export interface TriggerEntityDagRunOptions
  extends EntityDagRequestOptions,
    AuditedRequestOptions {
  /** The run config. */
  conf: JsonObject;
  /** Logical date (ISO 8601 with offset); defaults to now. */
  logicalDate?: string;
  /** The run id; defaults to `backstage__<UTC now>__<8 hex>`. */
  runId?: string;
  /** The user's note; the service prefixes it with the user. */
  note?: string;
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
  /** One page of a DAG's runs, newest first. */
  listDagRuns(options: ListEntityDagRunsOptions): Promise<AirflowDagRunList>;
  /** One run with its task instances. */
  getDagRun(
    options: EntityDagRequestOptions & { runId: string },
  ): Promise<{ run: AirflowDagRun; taskInstances: AirflowTaskInstance[] }>;
  /**
   * Triggers a run; the note records the Backstage user; the answer says
   * whether the DAG is paused (the run then waits). A run id or logical date
   * that exists already is a 409 carrying that run. Audited.
   */
  triggerDagRun(
    options: TriggerEntityDagRunOptions,
  ): Promise<AirflowTriggeredDagRun>;
  /** Pauses or unpauses a DAG. Audited. */
  setDagPaused(
    options: EntityDagRequestOptions &
      AuditedRequestOptions & { isPaused: boolean },
  ): Promise<AirflowDag>;
  /** Clears a run (all tasks or only failed ones) so that it runs again. Audited. */
  clearDagRun(
    options: EntityDagRequestOptions &
      AuditedRequestOptions & { runId: string; onlyFailed: boolean },
  ): Promise<AirflowDagRun>;
  /** Health and version of every configured instance. */
  listInstances(): Promise<AirflowInstanceStatus[]>;
}
