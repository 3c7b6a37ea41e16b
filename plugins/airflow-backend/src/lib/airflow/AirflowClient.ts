import { randomBytes } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import type {
  AirflowApiVersion,
  AirflowDag,
  AirflowDagDetails,
  AirflowDagRun,
  AirflowDagRunList,
  AirflowInstanceStatus,
  AirflowTaskInstance,
  JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type {
  AirflowClient,
  AirflowInstanceConfig,
  ListDagRunsOptions,
  ListDagsOptions,
  TriggerDagRunOptions,
} from './types';
import {
  mapAirflowHttpError,
  mapNetworkError,
  readAirflowMessage,
} from './errors';
import {
  type AirflowMappingContext,
  type RawDag,
  type RawDagDetails,
  type RawDagRun,
  type RawHealth,
  type RawTaskInstance,
  mapDag,
  mapDagDetails,
  mapDagRun,
  mapHealth,
  mapTaskInstance,
} from './mappers';

/** Largest page size the client ever asks for (Airflow's default `maximum_page_limit`). */
export const MAX_PAGE_SIZE = 100;
/** Parallel page requests of one listing. */
export const LIST_CONCURRENCY = 4;
/** Safety stop of one listing: 1000 pages (at least 50k items at Airflow 3's smallest default page). */
const MAX_PAGES = 1000;
/** DAG ids per batch request body. */
export const BATCH_MAX_DAG_IDS = 100;
/** Pages of the first round of {@link DefaultAirflowClient.listRecentDagRuns}, per chunk of DAG ids. */
export const RECENT_RUNS_ROUND1_MAX_PAGES = 2;
/** Pages of the second round of {@link DefaultAirflowClient.listRecentDagRuns}, per chunk of DAG ids. */
export const RECENT_RUNS_ROUND2_MAX_PAGES = 2;
/** Renew a JWT this long before it expires (less for short-lived tokens: half their lifetime). */
const TOKEN_RENEW_MARGIN_MS = 60_000;
/** Longest run id Airflow stores (`dag_run.run_id` is `String(250)`). */
const MAX_RUN_ID_LENGTH = 250;
/** Airflow's default `[scheduler] allowed_run_id_pattern`; generated run ids always match it. */
export const AIRFLOW_RUN_ID_PATTERN = /^[A-Za-z0-9_.~:+-]+$/;

type HttpMethod = 'GET' | 'POST' | 'PATCH';
type QueryValue = string | number | boolean | readonly string[] | undefined;
type Query = Record<string, QueryValue>;

interface HttpResult {
  status: number;
  statusText: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
  /** Raw body text. */
  text: string;
}

interface RequestOptions {
  method?: HttpMethod;
  /** Path below `/api/v1|v2`, with every id already encoded (use {@link encodePath}). */
  path: string;
  query?: Query;
  body?: unknown;
  /** Replaces the default message of a 409 answer. */
  conflictMessage?: (airflowMessage: string) => string;
}

interface Authorization {
  headers: Record<string, string>;
  /** The JWT used, when it came from our own login (so it can be renewed). */
  jwt?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tagged template that encodes every interpolated value as one path segment,
 * exactly once: `` encodePath`/dags/${dagId}/dagRuns/${runId}` ``.
 */
export function encodePath(
  strings: TemplateStringsArray,
  ...values: string[]
): string {
  let out = strings[0];
  values.forEach((value, i) => {
    // Airflow reads a "~" segment as "every DAG/run"; "." and ".." would be
    // normalised away. None of them may stand for one id.
    if (value === '~' || value === '.' || value === '..') {
      throw new InputError(`'${value}' is not a valid id in an Airflow path`);
    }
    out += encodeURIComponent(value) + strings[i + 1];
  });
  return out;
}

/**
 * Query string with every key and value percent-encoded (`+` → `%2B`), arrays
 * as repeated keys (`tags=a&tags=b`, the form/explode style of both specs).
 */
export function buildQuery(query: Query | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) {
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      parts.push(
        `${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`,
      );
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Runs `fn` over `items` with at most `limit` calls in flight; stops starting new calls after a failure. */
export async function mapWithConcurrency<I, O>(
  items: readonly I[],
  limit: number,
  fn: (item: I) => Promise<O>,
): Promise<O[]> {
  const results = new Array<O>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker),
  );
  return results;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/** Payload of a JWT, decoded without verification (we only read `exp`/`iat`). */
export function decodeJwtPayload(
  token: string,
): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) {
    return undefined;
  }
  try {
    const parsed = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    );
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * Validates an ISO 8601 / RFC 3339 date-time that carries a UTC offset and
 * returns it as UTC with microseconds (`2025-03-29T19:48:49.273773Z`).
 * Naive (offset-less) or impossible dates throw an `InputError`: Airflow 2
 * rejects them with 400 (or an HTML 500 on 2.0), Airflow 3 with 422.
 */
export function normalizeLogicalDate(value: string): string {
  const match = typeof value === 'string' ? DATE_TIME.exec(value.trim()) : null;
  const invalid = () =>
    new InputError(
      `Invalid logical date '${value}': expected an ISO 8601 date-time with a UTC offset, e.g. 2025-03-29T19:48:49Z`,
    );
  if (!match) {
    throw invalid();
  }
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone, sign, oh, om] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(
    Number,
  );
  const millis = Number(`0.${frac}`) * 1000;
  const offsetMinutes =
    zone.toUpperCase() === 'Z'
      ? 0
      : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    Number(oh ?? 0) > 23 ||
    Number(om ?? 0) > 59
  ) {
    throw invalid();
  }
  const local = Date.UTC(
    year,
    month - 1,
    day,
    hour,
    minute,
    second,
    Math.floor(millis),
  );
  // Date.UTC rolls over (Feb 30 → Mar 2): reject such dates.
  if (new Date(local).getUTCDate() !== day) {
    throw invalid();
  }
  // Keep microseconds: Airflow stores logical dates with microsecond precision
  // and refuses a second run of a DAG with the same logical date (409).
  const micros = `${frac}000000`.slice(0, 6);
  return new Date(local - offsetMinutes * 60_000)
    .toISOString()
    .replace(/\.\d{3}Z$/, `.${micros}Z`);
}

/** Now, in UTC with microseconds (sub-millisecond digits from the high-resolution clock). */
export function nowWithMicroseconds(): string {
  const subMillis = String(process.hrtime.bigint() % 1000n).padStart(3, '0');
  return new Date().toISOString().replace(/Z$/, `${subMillis}Z`);
}

/** A run id that is unique per trigger and matches Airflow's default run id pattern. */
export function generateRunId(now: number = Date.now()): string {
  return `backstage__${new Date(now).toISOString()}__${randomBytes(4).toString(
    'hex',
  )}`;
}

/** Options of {@link DefaultAirflowClient.create}. */
export interface DefaultAirflowClientOptions {
  /** The validated instance config. */
  config: AirflowInstanceConfig;
  /** Logger; the client adds the instance name to every entry. */
  logger: LoggerService;
}

/**
 * {@link AirflowClient} over axios, for one Airflow instance.
 *
 * - API version: `GET {base}/api/v2/version` (no auth) answering 200 with a
 *   version means Airflow 3 (`/api/v2`); otherwise `GET {base}/api/v1/version`
 *   (with credentials) answering 200, 401 or 403 means Airflow 2 (`/api/v1`).
 *   The detection promise is cached; a failed detection is forgotten so the
 *   next call tries again.
 * - Auth: password on v2 → JWT from `POST {base}/auth/token`, cached until
 *   ~60 s before its `exp`, one login shared by concurrent callers, renewed once
 *   and the call retried once when Airflow answers 401 or 403
 *   `Invalid JWT token`; password on v1 → HTTP basic; token → bearer; none →
 *   no header.
 * - Listings follow `total_entries` with pages of at most 100 items, whatever
 *   page size the server honours.
 * - Every id is encoded as exactly one path segment; query values are encoded.
 * - Errors are typed `@backstage/errors` (see `errors.ts` for the table).
 */
export class DefaultAirflowClient implements AirflowClient {
  readonly config: AirflowInstanceConfig;
  readonly #logger: LoggerService;
  readonly #http: AxiosInstance;
  readonly #baseUrl: string;
  readonly #webUiUrl: string;
  #versionPromise?: Promise<AirflowApiVersion>;
  #jwt?: { token: string; renewAt: number };
  #loginPromise?: Promise<string>;

  /** Creates a client for one configured instance. */
  static create(options: DefaultAirflowClientOptions): DefaultAirflowClient {
    return new DefaultAirflowClient(options);
  }

  private constructor(options: DefaultAirflowClientOptions) {
    this.config = options.config;
    this.#logger = options.logger.child({
      airflowInstance: options.config.name,
    });
    this.#baseUrl = options.config.baseUrl.replace(/\/+$/, '');
    this.#webUiUrl = (
      options.config.webUiUrl || options.config.baseUrl
    ).replace(/\/+$/, '');
    this.#http = axios.create({
      timeout: options.config.timeoutMs,
      // Every status is an answer; errors are mapped by the client itself.
      validateStatus: () => true,
      // Keep the raw text: error bodies may be HTML or plain text.
      responseType: 'text',
      transformResponse: [data => data],
      headers: { Accept: 'application/json' },
    });
  }

  // ---------------------------------------------------------------- transport

  async #send(
    method: HttpMethod,
    url: string,
    options: { headers?: Record<string, string>; body?: unknown; path: string },
  ): Promise<HttpResult> {
    const timeoutMs = this.config.timeoutMs;
    try {
      const response = await this.#http.request<string>({
        method,
        url,
        data: options.body,
        headers: options.headers,
        // Socket inactivity is covered by `timeout`; this bounds the whole exchange.
        signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
      });
      const text =
        typeof response.data === 'string'
          ? response.data
          : String(response.data ?? '');
      let body: unknown;
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
      }
      return {
        status: response.status,
        statusText: response.statusText ?? '',
        body,
        text,
      };
    } catch (error) {
      throw mapNetworkError(error, {
        instance: this.config.name,
        method,
        path: options.path,
        timeoutMs,
      });
    }
  }

  #basicOrStaticHeaders(): Record<string, string> {
    const auth = this.config.auth;
    switch (auth.type) {
      case 'password':
        return {
          Authorization: `Basic ${Buffer.from(
            `${auth.username}:${auth.password}`,
          ).toString('base64')}`,
        };
      case 'token':
        return { Authorization: `Bearer ${auth.token}` };
      default:
        return {};
    }
  }

  async #authorization(version: AirflowApiVersion): Promise<Authorization> {
    if (this.config.auth.type === 'password' && version === 'v2') {
      const jwt = await this.#getJwt();
      return { headers: { Authorization: `Bearer ${jwt}` }, jwt };
    }
    return { headers: this.#basicOrStaticHeaders() };
  }

  async #getJwt(): Promise<string> {
    if (this.#jwt && Date.now() < this.#jwt.renewAt) {
      return this.#jwt.token;
    }
    return this.#login();
  }

  /** Renews a JWT that Airflow rejected, unless another caller already did. */
  async #renewJwt(rejected: string): Promise<string> {
    if (
      this.#jwt &&
      this.#jwt.token !== rejected &&
      Date.now() < this.#jwt.renewAt
    ) {
      return this.#jwt.token;
    }
    if (this.#jwt?.token === rejected) {
      this.#jwt = undefined;
    }
    return this.#login();
  }

  #login(): Promise<string> {
    if (!this.#loginPromise) {
      this.#loginPromise = this.#doLogin().finally(() => {
        this.#loginPromise = undefined;
      });
    }
    return this.#loginPromise;
  }

  async #doLogin(): Promise<string> {
    const auth = this.config.auth;
    if (auth.type !== 'password') {
      throw new Error('login needs password credentials');
    }
    const path = '/auth/token';
    this.#logger.debug('Logging in to Airflow for a JWT');
    const res = await this.#send('POST', `${this.#baseUrl}${path}`, {
      path,
      headers: { 'Content-Type': 'application/json' },
      body: { username: auth.username, password: auth.password },
    });
    const where = `Airflow instance '${this.config.name}'`;
    if (res.status === 200 || res.status === 201) {
      const token = isPlainObject(res.body) ? res.body.access_token : undefined;
      if (typeof token !== 'string' || !token) {
        throw new ServiceUnavailableError(
          `${where} answered POST ${path} without an access_token`,
        );
      }
      const payload = decodeJwtPayload(token);
      const exp =
        typeof payload?.exp === 'number' ? payload.exp * 1000 : undefined;
      const iat =
        typeof payload?.iat === 'number' ? payload.iat * 1000 : undefined;
      let renewAt = Number.POSITIVE_INFINITY;
      if (exp !== undefined && iat !== undefined && exp > iat) {
        // Measure the lifetime on our own clock, so clock skew between
        // Backstage and Airflow cannot make every call log in again.
        const lifetime = exp - iat;
        renewAt =
          Date.now() +
          lifetime -
          Math.min(TOKEN_RENEW_MARGIN_MS, lifetime / 2);
      } else if (exp !== undefined) {
        renewAt = exp - TOKEN_RENEW_MARGIN_MS;
      }
      this.#jwt = { token, renewAt };
      return token;
    }
    const message = readAirflowMessage(
      res.body,
      res.text,
      res.status,
      res.statusText,
    );
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new ServiceUnavailableError(
        `${where} rejected the configured credentials (POST ${path} answered ${res.status}): ${message}`,
      );
    }
    throw new ServiceUnavailableError(
      `${where} could not issue a token (POST ${path} answered ${res.status}): ${message}`,
    );
  }

  async #request<T>(options: RequestOptions): Promise<T> {
    const method = options.method ?? 'GET';
    const version = await this.getApiVersion();
    const url = `${this.#baseUrl}/api/${version}${options.path}${buildQuery(
      options.query,
    )}`;
    const headers = (auth: Authorization) =>
      options.body === undefined
        ? auth.headers
        : { ...auth.headers, 'Content-Type': 'application/json' };

    let auth = await this.#authorization(version);
    let res = await this.#send(method, url, {
      path: options.path,
      headers: headers(auth),
      body: options.body,
    });
    if (auth.jwt && this.#isRejectedToken(res)) {
      this.#logger.info('Airflow rejected the JWT, logging in again', {
        status: res.status,
      });
      const jwt = await this.#renewJwt(auth.jwt);
      auth = { headers: { Authorization: `Bearer ${jwt}` }, jwt };
      res = await this.#send(method, url, {
        path: options.path,
        headers: headers(auth),
        body: options.body,
      });
    }

    if (res.status >= 200 && res.status < 300) {
      if (res.body === undefined) {
        throw new ServiceUnavailableError(
          `Airflow instance '${this.config.name}' answered ${method} ${
            options.path
          } with a non-JSON body: ${readAirflowMessage(
            undefined,
            res.text,
            res.status,
            res.statusText,
          )}`,
        );
      }
      return res.body as T;
    }
    throw mapAirflowHttpError(res, {
      instance: this.config.name,
      method,
      path: options.path,
      conflictMessage: options.conflictMessage,
    });
  }

  #isRejectedToken(res: HttpResult): boolean {
    if (res.status === 401) {
      return true;
    }
    return (
      res.status === 403 &&
      isPlainObject(res.body) &&
      res.body.detail === 'Invalid JWT token'
    );
  }

  async #context(): Promise<AirflowMappingContext> {
    return {
      instance: this.config.name,
      webUiUrl: this.#webUiUrl,
      apiVersion: await this.getApiVersion(),
    };
  }

  /**
   * All items of a paginated collection. Asks for pages of
   * {@link MAX_PAGE_SIZE}, learns the page size the server honours and
   * `total_entries` from the first page, fetches the remaining pages with at
   * most `concurrency` in flight, then walks them by `offset += page.length`,
   * filling any gap (a short page, a missing `total_entries`, a growing
   * total) with sequential requests until `offset >= total_entries` or an
   * empty (or, without a total, short) page.
   */
  async #paginate<T>(options: {
    path: string;
    query?: Query;
    itemsKey: string;
    concurrency: number;
  }): Promise<T[]> {
    const fetchPage = async (offset: number) => {
      const body = await this.#request<Record<string, unknown>>({
        path: options.path,
        query: { ...options.query, limit: MAX_PAGE_SIZE, offset },
      });
      const items =
        isPlainObject(body) && Array.isArray(body[options.itemsKey])
          ? (body[options.itemsKey] as T[])
          : [];
      const total =
        isPlainObject(body) && typeof body.total_entries === 'number'
          ? body.total_entries
          : undefined;
      return { items, total };
    };

    const first = await fetchPage(0);
    const step = first.items.length;
    const pages = new Map<number, T[]>([[0, first.items]]);
    let total = first.total;
    if (step > 0 && total !== undefined && total > step) {
      const offsets: number[] = [];
      for (let o = step; o < total && offsets.length < MAX_PAGES; o += step) {
        offsets.push(o);
      }
      const results = await mapWithConcurrency(
        offsets,
        options.concurrency,
        fetchPage,
      );
      offsets.forEach((o, i) => pages.set(o, results[i].items));
    }

    const out: T[] = [];
    let offset = 0;
    for (let n = 0; n < MAX_PAGES; n++) {
      let items = pages.get(offset);
      if (items === undefined) {
        const page = await fetchPage(offset);
        items = page.items;
        total = page.total ?? total;
      }
      out.push(...items);
      offset += items.length;
      if (items.length === 0 || (total !== undefined && offset >= total)) {
        return out;
      }
      if (first.total === undefined && items.length < step) {
        return out;
      }
    }
    this.#logger.warn(
      'Stopped paging an Airflow collection at the safety limit',
      {
        path: options.path,
        pages: MAX_PAGES,
      },
    );
    return out;
  }

  // ---------------------------------------------------------------- API

  getApiVersion(): Promise<AirflowApiVersion> {
    if (this.config.apiVersion !== 'auto') {
      return Promise.resolve(this.config.apiVersion);
    }
    if (!this.#versionPromise) {
      const promise = this.#detectVersion();
      this.#versionPromise = promise;
      promise.catch(() => {
        if (this.#versionPromise === promise) {
          this.#versionPromise = undefined;
        }
      });
    }
    return this.#versionPromise;
  }

  async #detectVersion(): Promise<AirflowApiVersion> {
    const hasVersion = (res: HttpResult) =>
      res.status === 200 &&
      isPlainObject(res.body) &&
      typeof res.body.version === 'string';

    const v2 = await this.#send('GET', `${this.#baseUrl}/api/v2/version`, {
      path: '/api/v2/version',
    });
    if (hasVersion(v2)) {
      this.#logger.debug('Detected Airflow 3 (/api/v2)', {
        version: String((v2.body as Record<string, unknown>).version),
      });
      return 'v2';
    }
    const v1 = await this.#send('GET', `${this.#baseUrl}/api/v1/version`, {
      path: '/api/v1/version',
      headers: this.#basicOrStaticHeaders(),
    });
    // 401/403 with a JSON body is Airflow 2 refusing our credentials: the
    // version is known, the calls will report the credential problem.
    if (
      hasVersion(v1) ||
      ((v1.status === 401 || v1.status === 403) && v1.body !== undefined)
    ) {
      this.#logger.debug('Detected Airflow 2 (/api/v1)', { status: v1.status });
      return 'v1';
    }
    const describe = (res: HttpResult) =>
      `${res.status} ${readAirflowMessage(
        res.body,
        res.text,
        res.status,
        res.statusText,
      )}`;
    throw new ServiceUnavailableError(
      `Airflow instance '${
        this.config.name
      }' answers neither as Airflow 3 nor as Airflow 2 at ${this.#baseUrl}: ` +
        `GET /api/v2/version → ${describe(
          v2,
        )}; GET /api/v1/version → ${describe(v1)}`,
    );
  }

  async getStatus(): Promise<AirflowInstanceStatus> {
    const base = { name: this.config.name, webUiUrl: this.#webUiUrl };
    const unreachable = (error: unknown): AirflowInstanceStatus => ({
      ...base,
      apiVersion: null,
      version: null,
      status: 'unreachable',
      components: {},
      error: error instanceof Error ? error.message : String(error),
    });
    try {
      let apiVersion: AirflowApiVersion;
      try {
        apiVersion = await this.getApiVersion();
      } catch (error) {
        return unreachable(error);
      }
      const healthPath =
        apiVersion === 'v2' ? '/api/v2/monitor/health' : '/api/v1/health';
      const versionPath = `/api/${apiVersion}/version`;
      const [health, version] = await Promise.allSettled([
        this.#send('GET', `${this.#baseUrl}${healthPath}`, {
          path: healthPath,
        }),
        this.#send('GET', `${this.#baseUrl}${versionPath}`, {
          path: versionPath,
          // v2 serves the version without auth; v1 wants credentials (never a login for a status check).
          headers: apiVersion === 'v1' ? this.#basicOrStaticHeaders() : {},
        }),
      ]);
      if (health.status === 'rejected') {
        return unreachable(health.reason);
      }
      const versionString =
        version.status === 'fulfilled' &&
        version.value.status === 200 &&
        isPlainObject(version.value.body) &&
        typeof version.value.body.version === 'string'
          ? version.value.body.version
          : null;
      const res = health.value;
      if (res.status !== 200 || !isPlainObject(res.body)) {
        return {
          ...base,
          apiVersion,
          version: versionString,
          status: 'unhealthy',
          components: {},
          error: `GET ${healthPath} answered ${
            res.status
          }: ${readAirflowMessage(
            res.body,
            res.text,
            res.status,
            res.statusText,
          )}`,
        };
      }
      const components = mapHealth(res.body as RawHealth);
      const reported = Object.values(components).filter(c => c.status !== null);
      const healthy =
        reported.length > 0 && reported.every(c => c.status === 'healthy');
      return {
        ...base,
        apiVersion,
        version: versionString,
        status: healthy ? 'healthy' : 'unhealthy',
        components,
        ...(reported.length === 0
          ? { error: 'Airflow reported no component health' }
          : {}),
      };
    } catch (error) {
      return unreachable(error);
    }
  }

  /**
   * Every DAG (`GET /dags?order_by=dag_id`, v1 `only_active` and v2
   * `exclude_stale` left at their default `true`). `tags` filters with
   * Airflow's any-match (`tags=a&tags=b`); an empty `tags` array matches
   * nothing and makes no call. `includePaused: false` sends `paused=false`.
   * The first page is fetched alone, the rest with at most
   * {@link LIST_CONCURRENCY} requests in flight.
   */
  async listDags(options: ListDagsOptions = {}): Promise<AirflowDag[]> {
    if (options.tags && options.tags.length === 0) {
      return [];
    }
    const ctx = await this.#context();
    const raws = await this.#paginate<RawDag>({
      path: '/dags',
      query: {
        order_by: 'dag_id',
        tags: options.tags,
        paused: options.includePaused === false ? false : undefined,
      },
      itemsKey: 'dags',
      concurrency: LIST_CONCURRENCY,
    });
    const byId = new Map<string, AirflowDag>();
    for (const raw of raws) {
      if (raw && typeof raw.dag_id === 'string' && !byId.has(raw.dag_id)) {
        byId.set(raw.dag_id, mapDag(raw, ctx));
      }
    }
    return [...byId.values()];
  }

  async getDagDetails(dagId: string): Promise<AirflowDagDetails> {
    const ctx = await this.#context();
    const raw = await this.#request<RawDagDetails>({
      path: encodePath`/dags/${dagId}/details`,
    });
    return mapDagDetails(raw, ctx);
  }

  /**
   * One page of runs, newest first (v2 `order_by=-run_after`, v1
   * `order_by=-execution_date`); `limit` clamped to 1..100 (default 25),
   * `states` sent as repeated `state=`.
   */
  async listDagRuns(
    dagId: string,
    options: ListDagRunsOptions = {},
  ): Promise<AirflowDagRunList> {
    const ctx = await this.#context();
    const limit = Math.min(
      MAX_PAGE_SIZE,
      Math.max(1, Math.floor(options.limit ?? 25)),
    );
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const body = await this.#request<{
      dag_runs?: RawDagRun[];
      total_entries?: number;
    }>({
      path: encodePath`/dags/${dagId}/dagRuns`,
      query: {
        limit,
        offset,
        order_by: ctx.apiVersion === 'v2' ? '-run_after' : '-execution_date',
        state: options.states?.length ? options.states : undefined,
      },
    });
    const runs = Array.isArray(body?.dag_runs) ? body.dag_runs : [];
    const now = Date.now();
    return {
      items: runs.map(run => mapDagRun(run, ctx, now)),
      totalEntries:
        typeof body?.total_entries === 'number'
          ? body.total_entries
          : offset + runs.length,
    };
  }

  /**
   * The latest `perDag` (clamped to 1..100) runs of each DAG, newest first,
   * from the batch endpoint `POST /dags/~/dagRuns/list` (v2 body
   * `DAGRunsBatchBody`, v1 `ListDagRunsForm`; only keys both accept).
   *
   * DAG ids are deduplicated and split into chunks of
   * {@link BATCH_MAX_DAG_IDS}; chunks run with at most {@link LIST_CONCURRENCY}
   * in flight. Per chunk:
   * 1. Round 1 asks for the newest runs of all its DAGs
   *    (`page_limit = min(100, ids × perDag)`), following pages while some DAG
   *    still lacks runs and entries remain, for at most
   *    {@link RECENT_RUNS_ROUND1_MAX_PAGES} pages.
   * 2. Round 2, only when round 1 did not exhaust the entries, asks for the DAGs
   *    that still have fewer than `perDag` runs, restricted to runs at or before
   *    the oldest one seen (`run_after_lte` / `execution_date_lte`), for at most
   *    {@link RECENT_RUNS_ROUND2_MAX_PAGES} pages.
   *
   * Bound: at most `ceil(ids / 100) × (RECENT_RUNS_ROUND1_MAX_PAGES +
   * RECENT_RUNS_ROUND2_MAX_PAGES)` = 4 requests per 100 DAGs, whatever their
   * runs. The price of the bound: a DAG whose latest runs are older than
   * several hundred newer runs of the other DAGs in the same request may show
   * fewer than `perDag` runs.
   */
  async listRecentDagRuns(
    dagIds: string[],
    perDag: number,
  ): Promise<Map<string, AirflowDagRun[]>> {
    const ids = [...new Set(dagIds)];
    const result = new Map<string, AirflowDagRun[]>(ids.map(id => [id, []]));
    const limit = Math.min(MAX_PAGE_SIZE, Math.floor(perDag));
    if (ids.length === 0 || !(limit >= 1)) {
      return result;
    }
    const ctx = await this.#context();
    const chunks = chunk(ids, BATCH_MAX_DAG_IDS);
    const perChunk = await mapWithConcurrency(chunks, LIST_CONCURRENCY, c =>
      this.#recentRunsOfChunk(c, limit, ctx.apiVersion),
    );
    const now = Date.now();
    for (const runs of perChunk) {
      for (const [dagId, raws] of runs) {
        result.set(
          dagId,
          raws.slice(0, limit).map(raw => mapDagRun(raw, ctx, now)),
        );
      }
    }
    return result;
  }

  async #recentRunsOfChunk(
    ids: string[],
    perDag: number,
    version: AirflowApiVersion,
  ): Promise<Map<string, RawDagRun[]>> {
    const orderKey = version === 'v2' ? 'run_after' : 'execution_date';
    const collected = new Map<string, RawDagRun[]>(ids.map(id => [id, []]));
    const seen = new Set<string>();
    const lacksRuns = (id: string) =>
      (collected.get(id)?.length ?? perDag) < perDag;

    const round = async (
      roundIds: string[],
      maxPages: number,
      upTo?: string,
    ) => {
      const pageLimit = Math.min(MAX_PAGE_SIZE, roundIds.length * perDag);
      let offset = 0;
      let oldest: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const body: JsonObject = {
          dag_ids: roundIds,
          order_by: `-${orderKey}`,
          page_limit: pageLimit,
          page_offset: offset,
        };
        if (upTo) {
          body[`${orderKey}_lte`] = upTo;
        }
        const res = await this.#request<{
          dag_runs?: RawDagRun[];
          total_entries?: number;
        }>({
          method: 'POST',
          path: '/dags/~/dagRuns/list',
          body,
        });
        const runs = Array.isArray(res?.dag_runs) ? res.dag_runs : [];
        for (const run of runs) {
          const key = `${run.dag_id}\u0000${run.dag_run_id}`;
          const list = collected.get(run.dag_id);
          if (list && !seen.has(key)) {
            seen.add(key);
            list.push(run);
          }
          const at =
            (version === 'v2'
              ? run.run_after
              : run.execution_date ?? run.logical_date) ?? undefined;
          if (at) {
            oldest = at;
          }
        }
        offset += runs.length;
        const total =
          typeof res?.total_entries === 'number'
            ? res.total_entries
            : undefined;
        const exhausted =
          runs.length === 0 ||
          (total !== undefined ? offset >= total : runs.length < pageLimit);
        if (exhausted) {
          return { exhausted: true, oldest };
        }
        if (!roundIds.some(lacksRuns)) {
          break;
        }
      }
      return { exhausted: false, oldest };
    };

    const first = await round(ids, RECENT_RUNS_ROUND1_MAX_PAGES);
    const lagging = ids.filter(lacksRuns);
    if (!first.exhausted && lagging.length > 0 && first.oldest) {
      await round(lagging, RECENT_RUNS_ROUND2_MAX_PAGES, first.oldest);
    }
    return collected;
  }

  async getDagRun(dagId: string, runId: string): Promise<AirflowDagRun> {
    const ctx = await this.#context();
    const raw = await this.#request<RawDagRun>({
      path: encodePath`/dags/${dagId}/dagRuns/${runId}`,
    });
    return mapDagRun(raw, ctx);
  }

  async listTaskInstances(
    dagId: string,
    runId: string,
  ): Promise<AirflowTaskInstance[]> {
    const raws = await this.#paginate<RawTaskInstance>({
      path: encodePath`/dags/${dagId}/dagRuns/${runId}/taskInstances`,
      itemsKey: 'task_instances',
      concurrency: LIST_CONCURRENCY,
    });
    const seen = new Set<string>();
    const out: AirflowTaskInstance[] = [];
    for (const raw of raws) {
      const ti = mapTaskInstance(raw);
      const key = `${ti.taskId}\u0000${ti.mapIndex}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(ti);
      }
    }
    return out;
  }

  /**
   * Triggers a run with only writable keys: `dag_run_id`, `logical_date`,
   * `conf` and (when given) `note` — never `execution_date`, and on v2 the
   * `logical_date` key is always present (Airflow 3 answers 422 without it).
   * A missing run id becomes `backstage__<ISO UTC>__<8 hex>`; a given one
   * must be non-empty and at most 250 characters (Airflow checks its own
   * pattern). The logical date (default now) must carry an offset and is sent
   * as UTC `…Z`; `conf` must be a JSON object. 409 → `ConflictError`.
   */
  async triggerDagRun(
    dagId: string,
    options: TriggerDagRunOptions,
  ): Promise<AirflowDagRun> {
    const conf: unknown = options.conf === undefined ? {} : options.conf;
    if (!isPlainObject(conf)) {
      throw new InputError('The run config (conf) must be a JSON object');
    }
    if (options.note !== undefined && typeof options.note !== 'string') {
      throw new InputError('The run note must be a string');
    }
    let runId = options.runId;
    if (runId !== undefined) {
      if (
        typeof runId !== 'string' ||
        !runId.trim() ||
        runId.length > MAX_RUN_ID_LENGTH
      ) {
        throw new InputError(
          `Invalid run id: expected 1 to ${MAX_RUN_ID_LENGTH} characters, e.g. matching ${AIRFLOW_RUN_ID_PATTERN.source}`,
        );
      }
    } else {
      runId = generateRunId();
    }
    const logicalDate =
      options.logicalDate === undefined
        ? nowWithMicroseconds()
        : normalizeLogicalDate(options.logicalDate);

    const ctx = await this.#context();
    const body: JsonObject = {
      dag_run_id: runId,
      logical_date: logicalDate,
      conf: conf as JsonObject,
    };
    if (options.note !== undefined) {
      body.note = options.note;
    }
    const createdRunId = runId;
    const raw = await this.#request<RawDagRun>({
      method: 'POST',
      path: encodePath`/dags/${dagId}/dagRuns`,
      body,
      conflictMessage: airflowMessage =>
        `DAG run '${createdRunId}' (or one with logical date ${logicalDate}) already exists for DAG '${dagId}' on Airflow instance '${this.config.name}': ${airflowMessage}`,
    });
    return mapDagRun(raw, ctx);
  }

  /** `PATCH /dags/{dag_id}?update_mask=is_paused` with exactly `{"is_paused": bool}`. */
  async setDagPaused(dagId: string, isPaused: boolean): Promise<AirflowDag> {
    const ctx = await this.#context();
    const raw = await this.#request<RawDag>({
      method: 'PATCH',
      path: encodePath`/dags/${dagId}`,
      query: { update_mask: 'is_paused' },
      body: { is_paused: isPaused === true },
    });
    return mapDag(raw, ctx);
  }

  /**
   * Clears a run for real (`dry_run: false`). v2: `POST …/clear` with
   * `{dry_run, only_failed}`. v1: `…/clear` only knows `dry_run`, so
   * `onlyFailed` uses `POST /dags/{dag_id}/clearTaskInstances` with
   * `{dry_run: false, only_failed: true, dag_run_id, reset_dag_runs: true}`.
   * Returns the run as Airflow reports it afterwards.
   */
  async clearDagRun(
    dagId: string,
    runId: string,
    options: { onlyFailed: boolean },
  ): Promise<AirflowDagRun> {
    const ctx = await this.#context();
    const onlyFailed = options?.onlyFailed === true;
    let raw: unknown;
    if (ctx.apiVersion === 'v1' && onlyFailed) {
      await this.#request<unknown>({
        method: 'POST',
        path: encodePath`/dags/${dagId}/clearTaskInstances`,
        body: {
          dry_run: false,
          only_failed: true,
          dag_run_id: runId,
          reset_dag_runs: true,
        },
      });
    } else {
      raw = await this.#request<unknown>({
        method: 'POST',
        path: encodePath`/dags/${dagId}/dagRuns/${runId}/clear`,
        body:
          ctx.apiVersion === 'v2'
            ? { dry_run: false, only_failed: onlyFailed }
            : { dry_run: false },
      });
    }
    if (
      isPlainObject(raw) &&
      typeof raw.dag_run_id === 'string' &&
      typeof raw.dag_id === 'string'
    ) {
      return mapDagRun(raw as unknown as RawDagRun, ctx);
    }
    return this.getDagRun(dagId, runId);
  }
}
