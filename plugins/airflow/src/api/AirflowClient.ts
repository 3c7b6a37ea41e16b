import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type {
  AirflowClearDagRunRequest,
  AirflowDag,
  AirflowDagDetails,
  AirflowDagRun,
  AirflowDagRunList,
  AirflowEntityDagsResponse,
  AirflowInstanceStatus,
  AirflowOwnershipResponse,
  AirflowSetDagPausedRequest,
  AirflowTriggerDagRunRequest,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type {
  AirflowApi,
  AirflowClearDagRunOptions,
  AirflowDagOptions,
  AirflowDagRunOptions,
  AirflowDagRunWithTaskInstances,
  AirflowEntityOptions,
  AirflowListDagRunsOptions,
  AirflowSetDagPausedOptions,
  AirflowTriggerDagRunOptions,
} from './AirflowApi';

/** Joins path segments, encoding each exactly once. */
function path(...segments: string[]): string {
  return segments.map(s => `/${encodeURIComponent(s)}`).join('');
}

/** Kind and namespace of entity refs compare case-insensitively; send them lower-cased. */
function entityPath(entityRef: CompoundEntityRef): string {
  return path(
    'entities',
    entityRef.kind.toLocaleLowerCase('en-US'),
    entityRef.namespace.toLocaleLowerCase('en-US'),
    entityRef.name,
  );
}

function dagPath(options: AirflowDagOptions): string {
  return `${entityPath(options.entityRef)}${path(
    'dags',
    options.instance,
    options.dagId,
  )}`;
}

function runPath(options: AirflowDagRunOptions): string {
  return `${dagPath(options)}${path('runs', options.runId)}`;
}

/**
 * Default {@link AirflowApi}: calls the Airflow backend plugin through the
 * discovery and fetch APIs (so the user's Backstage token is attached).
 * @public
 */
export class AirflowClient implements AirflowApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listEntityDags(
    options: AirflowEntityOptions,
  ): Promise<AirflowEntityDagsResponse> {
    return this.request(`${entityPath(options.entityRef)}/dags`);
  }

  async getDagDetails(options: AirflowDagOptions): Promise<AirflowDagDetails> {
    return this.request(dagPath(options));
  }

  async setDagPaused(options: AirflowSetDagPausedOptions): Promise<AirflowDag> {
    const body: AirflowSetDagPausedRequest = { isPaused: options.isPaused };
    return this.request(dagPath(options), { method: 'PATCH', body });
  }

  async listDagRuns(
    options: AirflowListDagRunsOptions,
  ): Promise<AirflowDagRunList> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.offset !== undefined) {
      query.set('offset', String(options.offset));
    }
    for (const state of options.states ?? []) query.append('state', state);
    const search = query.toString();
    return this.request(
      `${dagPath(options)}/runs${search ? `?${search}` : ''}`,
    );
  }

  async triggerDagRun(
    options: AirflowTriggerDagRunOptions,
  ): Promise<AirflowDagRun> {
    const body: AirflowTriggerDagRunRequest = {};
    if (options.conf !== undefined) body.conf = options.conf;
    if (options.logicalDate !== undefined) {
      body.logicalDate = options.logicalDate;
    }
    if (options.note !== undefined) body.note = options.note;
    return this.request(`${dagPath(options)}/runs`, { method: 'POST', body });
  }

  async getDagRun(
    options: AirflowDagRunOptions,
  ): Promise<AirflowDagRunWithTaskInstances> {
    return this.request(runPath(options));
  }

  async clearDagRun(
    options: AirflowClearDagRunOptions,
  ): Promise<AirflowDagRun> {
    const body: AirflowClearDagRunRequest = {};
    if (options.onlyFailed !== undefined) body.onlyFailed = options.onlyFailed;
    return this.request(`${runPath(options)}/clear`, { method: 'POST', body });
  }

  async listInstances(): Promise<{ instances: AirflowInstanceStatus[] }> {
    return this.request('/instances');
  }

  async getOwnership(): Promise<AirflowOwnershipResponse> {
    return this.request('/ownership');
  }

  async refreshOwnership(): Promise<AirflowOwnershipResponse> {
    return this.request('/ownership/refresh', { method: 'POST' });
  }

  /**
   * Sends one request to the backend plugin and parses its JSON answer.
   * @param pathAndQuery - path below the plugin's base URL, already encoded
   * @param init - method and JSON body; a request without body sends no content type
   */
  private async request<T>(
    pathAndQuery: string,
    init?: { method: 'PATCH' | 'POST'; body?: unknown },
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('airflow');
    let requestInit: RequestInit | undefined;
    if (init) {
      requestInit =
        init.body === undefined
          ? { method: init.method }
          : {
              method: init.method,
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(init.body),
            };
    }
    const response = await this.fetchApi.fetch(
      `${baseUrl}${pathAndQuery}`,
      requestInit,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
