/**
 * Every HTTP path the suite calls, in one place: the backend plugin's API
 * (plugins/airflow-backend/src/service/router.ts, README "Backend API"), the
 * Backstage core routes it needs, and the Airflow paths of the baseline (the
 * old frontend-only plugin's call pattern) and of a direct call.
 * When the plugin's routes change, change them here only.
 */
import type { ApiVersion } from './standin/data.ts';

const enc = encodeURIComponent;

/** The example backend (Backstage core). */
export const core = {
  guestToken: '/api/auth/guest/refresh',
  /** `totalItems` of the catalog's components (readiness of the bench catalog). */
  componentCount:
    '/api/catalog/entities/by-query?filter=kind=component&limit=1',
  /** The permission backend's decision endpoint (P5's yardstick). */
  permissionAuthorize: '/api/permission/authorize',
  /** The example backend's reference route: authenticate, one decision, answer it (P5's other yardstick). */
  referenceDecision: (entityRef: string, bytes = 0) =>
    `/api/bench-reference/decision?entityRef=${enc(entityRef)}&bytes=${bytes}`,
  entityByName: (kind: string, name: string) =>
    `/api/catalog/entities/by-name/${enc(kind)}/default/${enc(name)}`,
};

/** The Airflow backend plugin, mounted at `/api/airflow`. */
const base = '/api/airflow';
const entity = (name: string) =>
  `${base}/entities/component/default/${enc(name)}`;
export const plugin = {
  instances: `${base}/instances`,
  /** The first page of the ownership view (25 DAGs, the summary, the index state). */
  ownership: `${base}/ownership`,
  /** A page of the ownership view with filters, order and paging (query parameters as in the spec). */
  ownershipView: (query: Record<string, string | number | boolean>) =>
    `${base}/ownership?${new URLSearchParams(
      Object.entries(query).map(([k, v]) => [k, String(v)]),
    )}`,
  ownershipDangling: `${base}/ownership/dangling`,
  /** The CSV export of the DAGs matching the filters (streamed). */
  ownershipExport: (query: Record<string, string | number | boolean> = {}) =>
    `${base}/ownership/export?${new URLSearchParams(
      Object.entries(query).map(([k, v]) => [k, String(v)]),
    )}`,
  ownershipRefresh: `${base}/ownership/refresh`,
  entityDags: (name: string) => `${entity(name)}/dags`,
  dag: (name: string, instance: string, dagId: string) =>
    `${entity(name)}/dags/${enc(instance)}/${enc(dagId)}`,
  dagRuns: (name: string, instance: string, dagId: string, limit = 25) =>
    `${entity(name)}/dags/${enc(instance)}/${enc(dagId)}/runs?limit=${limit}`,
};

/** Airflow's own API (the stand-in), as the old plugin and a direct call use it. */
export const airflow = {
  token: '/auth/token',
  dags: (v: ApiVersion, limit: number, offset: number) =>
    `/api/${v}/dags?limit=${limit}&offset=${offset}`,
  dagsMatching: (v: ApiVersion, pattern: string, limit = 100) =>
    `/api/${v}/dags?limit=${limit}&dag_id_pattern=${enc(pattern)}`,
  dagRuns: (v: ApiVersion, dagId: string, limit: number) =>
    `/api/${v}/dags/${enc(dagId)}/dagRuns?limit=${limit}&order_by=${
      v === 'v2' ? '-run_after' : '-execution_date'
    }`,
  dagDetails: (v: ApiVersion, dagId: string) =>
    `/api/${v}/dags/${enc(dagId)}/details`,
};

/** The stand-in's side endpoints (not counted). */
export const side = {
  counts: '/_bench/counts',
  reset: '/_bench/reset',
  config: '/_bench/config',
};
