import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type {
  AirflowDag,
  AirflowDagDetails,
  AirflowDagGrid,
  AirflowDagRun,
  AirflowDagRunFailure,
  AirflowDagRunList,
  AirflowEntityDagsResponse,
  AirflowDanglingPage,
  AirflowInstanceStatus,
  AirflowOwnershipIndexStatus,
  AirflowOwnershipPage,
  AirflowOwnershipQuery,
  AirflowTriggeredDagRun,
  AirflowTaskInstance,
  AirflowTaskInstancesChange,
  AirflowTaskInstanceTries,
  AirflowTaskLog,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import {
  DefaultApiClient,
  type TypedResponse,
} from '../schema/openapi/generated';
import type {
  AirflowApi,
  AirflowClearDagRunOptions,
  AirflowClearTaskInstanceOptions,
  AirflowDagOptions,
  AirflowDagRunOptions,
  AirflowDagRunWithTaskInstances,
  AirflowEntityOptions,
  AirflowListDagRunsOptions,
  AirflowOwnershipPageOptions,
  AirflowSetDagPausedOptions,
  AirflowSetDagRunStateOptions,
  AirflowSetTaskInstanceStateOptions,
  AirflowTaskInstanceOptions,
  AirflowTaskLogOptions,
  AirflowTriggerDagRunOptions,
} from './AirflowApi';

/** Kind and namespace of entity refs compare case-insensitively; send them lower-cased. */
function entityPath(entityRef: CompoundEntityRef) {
  return {
    kind: entityRef.kind.toLocaleLowerCase('en-US'),
    namespace: entityRef.namespace.toLocaleLowerCase('en-US'),
    name: entityRef.name,
  };
}

function dagPath(options: AirflowDagOptions) {
  return {
    ...entityPath(options.entityRef),
    instance: options.instance,
    dagId: options.dagId,
  };
}

function runPath(options: AirflowDagRunOptions) {
  return { ...dagPath(options), runId: options.runId };
}

function taskPath(options: AirflowTaskInstanceOptions) {
  return { ...runPath(options), taskId: options.taskId };
}

/** The map index query of a task instance (omitted for an unmapped one). */
function mapIndexQuery(options: AirflowTaskInstanceOptions) {
  return options.mapIndex !== undefined && options.mapIndex >= 0
    ? { mapIndex: options.mapIndex }
    : {};
}

/** The JSON body of a successful answer; a `ResponseError` for any other. */
async function json<T>(response: TypedResponse<T>): Promise<T> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response as unknown as Response);
  }
  return response.json();
}

/**
 * Default {@link AirflowApi}: calls the Airflow backend plugin through the
 * discovery and fetch APIs (so the user's Backstage token is attached), with
 * the client generated from the backend's OpenAPI spec (every path segment
 * encoded once). A spec change that this client does not follow breaks its
 * compilation.
 * @public
 */
export class AirflowClient implements AirflowApi {
  readonly #api: DefaultApiClient;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#api = new DefaultApiClient(options);
  }

  /** {@inheritDoc AirflowApi.listEntityDags} */
  async listEntityDags(
    options: AirflowEntityOptions,
  ): Promise<AirflowEntityDagsResponse> {
    return json(
      await this.#api.listEntityDags({ path: entityPath(options.entityRef) }),
    );
  }

  /** {@inheritDoc AirflowApi.getDagDetails} */
  async getDagDetails(options: AirflowDagOptions): Promise<AirflowDagDetails> {
    return json(await this.#api.getDagDetails({ path: dagPath(options) }));
  }

  /** {@inheritDoc AirflowApi.setDagPaused} */
  async setDagPaused(options: AirflowSetDagPausedOptions): Promise<AirflowDag> {
    return json(
      await this.#api.setDagPaused({
        path: dagPath(options),
        body: { isPaused: options.isPaused },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.listDagRuns} */
  async listDagRuns(
    options: AirflowListDagRunsOptions,
  ): Promise<AirflowDagRunList> {
    return json(
      await this.#api.listDagRuns({
        path: dagPath(options),
        query: {
          limit: options.limit,
          offset: options.offset,
          state: options.states?.length ? options.states : undefined,
        },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.triggerDagRun} */
  async triggerDagRun(
    options: AirflowTriggerDagRunOptions,
  ): Promise<AirflowTriggeredDagRun> {
    return json(
      await this.#api.triggerDagRun({
        path: dagPath(options),
        body: {
          conf: options.conf,
          // The generator types date-times as Date; the wire format is the ISO string as given.
          logicalDate: options.logicalDate as unknown as Date | undefined,
          runId: options.runId,
          note: options.note,
        },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.getDagRun} */
  async getDagRun(
    options: AirflowDagRunOptions,
  ): Promise<AirflowDagRunWithTaskInstances> {
    return json(await this.#api.getDagRun({ path: runPath(options) }));
  }

  /** {@inheritDoc AirflowApi.clearDagRun} */
  async clearDagRun(
    options: AirflowClearDagRunOptions,
  ): Promise<AirflowDagRun> {
    return json(
      await this.#api.clearDagRun({
        path: runPath(options),
        body: { onlyFailed: options.onlyFailed },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.setDagRunState} */
  async setDagRunState(
    options: AirflowSetDagRunStateOptions,
  ): Promise<AirflowDagRun> {
    return json(
      await this.#api.setDagRunState({
        path: runPath(options),
        body: { state: options.state },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.getDagGrid} */
  async getDagGrid(
    options: AirflowDagOptions & { limit?: number },
  ): Promise<AirflowDagGrid> {
    return json(
      await this.#api.getDagGrid({
        path: dagPath(options),
        query: { limit: options.limit },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.getDagRunFailure} */
  async getDagRunFailure(
    options: AirflowDagRunOptions,
  ): Promise<AirflowDagRunFailure> {
    return json(await this.#api.getDagRunFailure({ path: runPath(options) }));
  }

  /** {@inheritDoc AirflowApi.getTaskInstance} */
  async getTaskInstance(
    options: AirflowTaskInstanceOptions,
  ): Promise<AirflowTaskInstance> {
    return json(
      await this.#api.getTaskInstance({
        path: taskPath(options),
        query: mapIndexQuery(options),
      }),
    );
  }

  /** {@inheritDoc AirflowApi.listTaskInstanceTries} */
  async listTaskInstanceTries(
    options: AirflowTaskInstanceOptions,
  ): Promise<AirflowTaskInstanceTries> {
    return json(
      await this.#api.listTaskInstanceTries({
        path: taskPath(options),
        query: mapIndexQuery(options),
      }),
    );
  }

  /** {@inheritDoc AirflowApi.getTaskLog} */
  async getTaskLog(options: AirflowTaskLogOptions): Promise<AirflowTaskLog> {
    return json(
      await this.#api.getTaskLog({
        path: { ...taskPath(options), tryNumber: options.tryNumber },
        query: {
          ...mapIndexQuery(options),
          token: options.token ?? undefined,
          offset: options.offset ? options.offset : undefined,
          tail: options.tail,
        },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.setTaskInstanceState} */
  async setTaskInstanceState(
    options: AirflowSetTaskInstanceStateOptions,
  ): Promise<AirflowTaskInstancesChange> {
    return json(
      await this.#api.setTaskInstanceState({
        path: taskPath(options),
        query: mapIndexQuery(options),
        body: {
          state: options.state,
          includeUpstream: options.includeUpstream,
          includeDownstream: options.includeDownstream,
        },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.clearTaskInstance} */
  async clearTaskInstance(
    options: AirflowClearTaskInstanceOptions,
  ): Promise<AirflowTaskInstancesChange> {
    return json(
      await this.#api.clearTaskInstance({
        path: taskPath(options),
        query: mapIndexQuery(options),
        body: {
          dryRun: options.dryRun,
          onlyFailed: options.onlyFailed,
          includeUpstream: options.includeUpstream,
          includeDownstream: options.includeDownstream,
        },
      }),
    );
  }

  /** {@inheritDoc AirflowApi.listInstances} */
  async listInstances(): Promise<{ instances: AirflowInstanceStatus[] }> {
    return json(await this.#api.listInstances({}));
  }

  /** {@inheritDoc AirflowApi.getOwnership} */
  async getOwnership(
    options: AirflowOwnershipPageOptions = {},
  ): Promise<AirflowOwnershipPage> {
    return json(await this.#api.getOwnership({ query: options }));
  }

  /** One page of the dangling references matching the filters. */
  async getOwnershipDangling(
    options: AirflowOwnershipQuery & { limit?: number; offset?: number } = {},
  ): Promise<AirflowDanglingPage> {
    return json(await this.#api.getOwnershipDangling({ query: options }));
  }

  /** The whole filtered view as CSV, as the backend streams it. */
  async exportOwnershipCsv(
    options: Omit<AirflowOwnershipPageOptions, 'limit' | 'offset'> = {},
  ): Promise<Blob> {
    const response = await this.#api.exportOwnership({ query: options });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response as unknown as Response);
    }
    return (response as unknown as Response).blob();
  }

  /** {@inheritDoc AirflowApi.refreshOwnership} */
  async refreshOwnership(): Promise<AirflowOwnershipIndexStatus> {
    return json(await this.#api.refreshOwnership({}));
  }
}
