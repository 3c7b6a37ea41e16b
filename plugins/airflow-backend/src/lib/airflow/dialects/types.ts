import type { AirflowApiVersion } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { RawDag, RawDagRun } from '../raw';
import type { ScheduleParts } from '../schedule';

/**
 * Features that only some Airflow versions have. Each dialect gives the
 * semver range of Airflow versions that have it (or false for none).
 */
export type AirflowFeature =
  /** `GET /dags?dag_id_pattern=a|b`: `|` separates alternatives (Airflow 3.2+). */
  | 'dagIdPatternAlternatives'
  /**
   * A running try's log read with the `continuation_token` of the previous
   * read answers only what came after it (Airflow 3.3+; 3.0 and 3.1 answer
   * the whole log again and 3.2 answers 500, so there following re-reads the
   * log and skips by line offset).
   */
  | 'logTokenResumes';

/**
 * Everything that differs between the two Airflow REST API generations, in
 * one table per generation: `v1.ts` (Airflow 2, `/api/v1`) and `v2.ts`
 * (Airflow 3, `/api/v2`). The client, the mappers and the session ask the
 * dialect instead of branching on the version. Dropping a generation is
 * deleting its file (and its fixtures).
 */
export interface AirflowDialect {
  /** The API generation. */
  readonly apiVersion: AirflowApiVersion;
  /** Path prefix of the REST API below the instance's base URL. */
  readonly prefix: '/api/v1' | '/api/v2';
  /** Health endpoint below the base URL (served without credentials). */
  readonly healthPath: string;
  /** Version endpoint below the base URL. */
  readonly versionPath: string;
  /** Whether the version endpoint wants credentials (v1) or none (v2). */
  readonly versionNeedsAuth: boolean;
  /**
   * How username and password are used: exchanged for a JWT at
   * `POST {base}/auth/token` (v2) or sent as HTTP basic auth (v1).
   */
  readonly passwordAuth: 'jwt' | 'basic';
  /** Field that orders DAG runs in time, in listings and in batch filters. */
  readonly runTimeField: 'execution_date' | 'run_after';
  /** The value of {@link AirflowDialect.runTimeField} on a raw run. */
  runTime(run: RawDagRun): string | undefined;
  /** The logical date of a raw run. */
  logicalDate(run: RawDagRun): string | null | undefined;
  /**
   * Query of `GET /dags/{dag_id}/dagRuns` for the runs whose logical date is
   * exactly `date` (v2 `logical_date_gte`/`_lte`, v1 `execution_date_gte`/`_lte`).
   */
  logicalDateQuery(date: string): Record<string, string>;
  /** Whether the DAG is active (not stale). */
  isActive(dag: RawDag): boolean;
  /** Next run's logical date and earliest creation time. */
  nextRun(dag: RawDag): {
    logicalDate: string | null | undefined;
    after: string | null | undefined;
  };
  /** The schedule expression (and its words where the dialect knows them). */
  readSchedule(dag: RawDag): ScheduleParts;
  /**
   * The request that clears a DAG run for real: v2 `…/clear` with
   * `{dry_run, only_failed}`; v1 `…/clear` knows only `dry_run`, so clearing
   * only failed tasks goes through `clearTaskInstances`.
   */
  clearRunRequest(
    dagId: string,
    runId: string,
    onlyFailed: boolean,
  ): { path: string; body: Record<string, unknown>; answersWithRun: boolean };
  /**
   * How a task log is read: Airflow 3 answers structured entries (JSON
   * `{content, continuation_token}` or NDJSON, one entry per line), Airflow 2
   * plain text (`Accept: text/plain`; its JSON `content` is a Python repr).
   */
  readonly logFormat: 'structured' | 'text';
  /** The request that sets a DAG run's state (`success` or `failed`). */
  setRunStateRequest(
    dagId: string,
    runId: string,
    state: 'success' | 'failed',
  ): DialectRequest;
  /**
   * The request that sets a task instance's state, with its upstream or
   * downstream tasks where the API allows it; what the API lacks when it
   * does not (Airflow 2 marks a mapped task instance alone), which the client
   * answers with `AirflowNotSupportedError` (501).
   */
  setTaskInstanceStateRequest(options: {
    dagId: string;
    runId: string;
    taskId: string;
    mapIndex: number;
    state: 'success' | 'failed';
    includeUpstream: boolean;
    includeDownstream: boolean;
  }): DialectRequest | { unsupported: string };
  /** The body of `POST /dags/{dag_id}/clearTaskInstances` for one task instance of a run. */
  clearTaskInstanceBody(options: {
    runId: string;
    taskId: string;
    mapIndex: number;
    dryRun: boolean;
    onlyFailed: boolean;
    includeUpstream: boolean;
    includeDownstream: boolean;
  }): Record<string, unknown>;
  /**
   * The body of the batch task instance listing
   * (`POST /dags/~/dagRuns/~/taskInstances/list`) for runs of one DAG, one
   * page at `offset` of at most `limit` (v1's form has no paging: one answer).
   */
  taskInstancesBatchBody(
    dagId: string,
    runIds: string[],
    page: { offset: number; limit: number },
  ): Record<string, unknown>;
  /** Whether the batch task instance listing pages (v2) or answers everything at once (v1). */
  readonly taskInstancesBatchPaged: boolean;
  /** Airflow versions that have each feature: a semver range, or false. */
  readonly features: Record<AirflowFeature, string | false>;
  /** Link to a DAG in the web UI. */
  dagUrl(webUiUrl: string, dagId: string): string;
  /** Link to a DAG run in the web UI. */
  dagRunUrl(webUiUrl: string, dagId: string, runId: string): string;
}

/** A request a dialect builds: method, path below the API prefix, query and body. */
export interface DialectRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  query?: Record<
    string,
    string | number | boolean | readonly string[] | undefined
  >;
  body?: Record<string, unknown>;
}
