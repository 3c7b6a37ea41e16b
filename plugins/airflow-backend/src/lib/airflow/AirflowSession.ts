import https from 'node:https';
import tls from 'node:tls';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import type { AirflowApiVersion } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { SingleFlight } from '../singleFlight';
import {
  type AirflowDialect,
  dialectOf,
  DIALECTS_NEWEST_FIRST,
} from './dialects';
import {
  AirflowAnswerLostError,
  AirflowAuthenticationError,
  mapAirflowHttpError,
  mapNetworkError,
  readAirflowMessage,
} from './errors';
import {
  type AirflowAuthContext,
  type AirflowAuthProvider,
  type AirflowRequestCredentials,
  builtInAuthProvider,
} from './auth';
import { isPlainObject } from './raw';
import type { AirflowInstanceConfig } from './types';

/** HTTP methods the client uses. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH';

/** Most bytes of an error answer read from a stream request. */
const STREAM_ERROR_BODY_MAX_BYTES = 64 * 1024;

/** A streamed 2xx answer of Airflow: its body is read as it arrives. */
export interface AirflowStream {
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  /**
   * The body. Reading it fails with `ServiceUnavailableError` when Airflow
   * sends nothing for the instance's timeout, or when `maxMs` has passed.
   */
  body: AsyncIterable<Buffer>;
  /** Stops the transfer (the rest of the body is never read). Idempotent. */
  abort(): void;
}

/** Query parameters; arrays are sent as repeated keys (`tags=a&tags=b`). */
export type Query = Record<
  string,
  string | number | boolean | readonly string[] | undefined
>;

/** One answer of Airflow, whatever its status. */
export interface HttpResult {
  status: number;
  statusText: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
  /** Raw body text. */
  text: string;
}

/** One call of the REST API. */
export interface AirflowRequest {
  method?: HttpMethod;
  /** Path below `/api/v1|v2`, every id already encoded (use `encodePath`). */
  path: string;
  query?: Query;
  body?: unknown;
  /** A shorter (or longer) timeout than the instance's, in milliseconds. */
  timeoutMs?: number;
}

type RequestCredentials = AirflowRequestCredentials;

/** Options of {@link AirflowSession}. */
export interface AirflowSessionOptions {
  /** The validated instance config. */
  config: AirflowInstanceConfig;
  /** Logger; the session adds the instance name to every entry. */
  logger: LoggerService;
  /**
   * Creates the instance's auth provider (default: the built-in one of
   * `config.auth`). Providers of other `auth.type`s come from the
   * `airflowAuthProvidersExtensionPoint`.
   */
  createAuthProvider?: (context: AirflowAuthContext) => AirflowAuthProvider;
}

/**
 * The connection to one Airflow instance: sending (axios, timeouts, a
 * private CA, error mapping), authentication through the instance's
 * {@link AirflowAuthProvider} (one retry when Airflow rejects the
 * credentials and the provider has fresh ones) and the API generation
 * (configured, or detected once: `GET /api/v2/version`, then
 * `GET /api/v1/version` with the provider's probe credentials).
 * {@link AirflowSession.request} is the one way the client reaches the REST API.
 */
export class AirflowSession {
  /** The instance name from config. */
  readonly instance: string;
  /** Base URL of the API server, without trailing slash. */
  readonly baseUrl: string;
  /** Base URL of the web UI, without trailing slash. */
  readonly webUiUrl: string;
  readonly #config: AirflowInstanceConfig;
  readonly #logger: LoggerService;
  readonly #http: AxiosInstance;
  #apiVersion?: AirflowApiVersion;
  #serverVersion?: string;
  #auth: AirflowAuthProvider;
  readonly #authContext: AirflowAuthContext;
  readonly #flights = new SingleFlight<string>();

  constructor(options: AirflowSessionOptions) {
    this.#config = options.config;
    this.instance = options.config.name;
    this.#logger = options.logger.child({ airflowInstance: this.instance });
    this.baseUrl = options.config.baseUrl.replace(/\/+$/, '');
    this.webUiUrl = (options.config.webUiUrl || options.config.baseUrl).replace(
      /\/+$/,
      '',
    );
    this.#http = axios.create({
      timeout: options.config.timeoutMs,
      // Every status is an answer; errors are mapped by the session itself.
      validateStatus: () => true,
      // Keep the raw text: error bodies may be HTML or plain text.
      responseType: 'text',
      transformResponse: [data => data],
      headers: { Accept: 'application/json' },
      // Arrays as repeated keys (the form/explode style of both specs); every
      // key and value percent-encoded, so `+` arrives as `%2B`, not a space.
      paramsSerializer: { indexes: null, encode: encodeURIComponent },
      // A private CA for TLS, on top of the system's trusted ones.
      httpsAgent: options.config.caCertificates
        ? new https.Agent({
            ca: [...tls.rootCertificates, ...options.config.caCertificates],
            keepAlive: true,
          })
        : undefined,
    });
    const context: AirflowAuthContext = (this.#authContext = {
      instance: this.instance,
      baseUrl: this.baseUrl,
      logger: this.#logger,
      send: async (method, path, body) => {
        const res = await this.send(method, path, { body });
        return { status: res.status, body: res.body, text: res.text };
      },
    });
    this.#auth = options.createAuthProvider
      ? options.createAuthProvider(context)
      : builtInAuthProvider(options.config.auth, context);
  }

  /** The instance's auth provider. */
  get authProvider(): AirflowAuthProvider {
    return this.#auth;
  }

  /**
   * Authenticates with a new provider from now on (new credentials from a
   * config reload): its state starts afresh, ending any wait after refused
   * credentials.
   */
  replaceAuthProvider(
    create: (context: AirflowAuthContext) => AirflowAuthProvider,
  ): void {
    this.#auth = create(this.#authContext);
  }

  /** The logger of this instance. */
  get logger(): LoggerService {
    return this.#logger;
  }

  // ------------------------------------------------------------ transport

  /** Sends one HTTP request to `{baseUrl}{path}`; network failures become `ServiceUnavailableError`. */
  async send(
    method: HttpMethod,
    path: string,
    options: {
      query?: Query;
      body?: unknown;
      credentials?: RequestCredentials;
      /** How errors name the call (default `path`). */
      label?: string;
      /** Timeout of this request (default: the instance's), in milliseconds. */
      timeoutMs?: number;
    } = {},
  ): Promise<HttpResult> {
    const timeoutMs = options.timeoutMs ?? this.#config.timeoutMs;
    const headers: Record<string, string> = {
      ...options.credentials?.headers,
    };
    if (options.body !== undefined)
      headers['Content-Type'] = 'application/json';
    try {
      const response = await this.#http.request<string>({
        method,
        url: `${this.baseUrl}${path}`,
        params: options.query,
        data: options.body,
        headers,
        auth: options.credentials?.basic,
        timeout: timeoutMs,
        // Socket inactivity is covered by `timeout`; this bounds the whole exchange.
        signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
      });
      const text =
        typeof response.data === 'string'
          ? response.data
          : String(response.data ?? '');
      return {
        status: response.status,
        statusText: response.statusText ?? '',
        body: parseJson(text),
        text,
      };
    } catch (error) {
      throw mapNetworkError(error, {
        instance: this.instance,
        method,
        path: options.label ?? path,
        timeoutMs,
      });
    }
  }

  /**
   * Calls the REST API (`{baseUrl}/api/v1|v2{path}`) with credentials and
   * returns its JSON body.
   *
   * @throws the typed errors of `errors.ts` for non-2xx answers, and
   *   `ServiceUnavailableError` for a 2xx answer that is not JSON.
   */
  async request<T>(options: AirflowRequest): Promise<T> {
    const method = options.method ?? 'GET';
    const dialect = await this.dialect();
    const path = `${dialect.prefix}${options.path}`;
    const attempt = async () => {
      const credentials = await this.#auth.getCredentials(dialect.apiVersion);
      const res = await this.send(method, path, {
        query: options.query,
        body: options.body,
        credentials,
        label: options.path,
        timeoutMs: options.timeoutMs,
      });
      return { credentials, res };
    };
    let { credentials, res } = await attempt();
    if (
      this.#isRejectedCredentials(res) &&
      (await this.#auth.onRejected?.(credentials))
    ) {
      this.#logger.info('Airflow rejected the credentials, sending again', {
        status: res.status,
      });
      ({ credentials, res } = await attempt());
    }
    if (res.status >= 200 && res.status < 300) {
      if (res.body === undefined) {
        // A write answered 2xx, but the answer is cut or not JSON: it took effect.
        const Failure =
          method === 'GET' ? ServiceUnavailableError : AirflowAnswerLostError;
        throw new Failure(
          `Airflow instance '${this.instance}' answered ${method} ${
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
    if (
      res.status === 403 &&
      dialect.apiVersion === 'v1' &&
      credentials.basic &&
      (await this.#basicCredentialsRefused(
        `${dialect.prefix}/dags`,
        credentials,
      ))
    ) {
      throw new AirflowAuthenticationError(
        `Airflow instance '${this.instance}' refused the configured credentials (authentication failed: Airflow 2 answers 403 to wrong basic-auth credentials)`,
      );
    }
    throw mapAirflowHttpError(res, {
      instance: this.instance,
      method,
      path: options.path,
    });
  }

  /**
   * Airflow 2 answers 403, not 401, to wrong basic-auth credentials. A 403 is
   * a refusal of the credentials when even the DAG list (which every role,
   * Viewer included, may read) is refused with them.
   */
  async #basicCredentialsRefused(
    dagsPath: string,
    credentials: RequestCredentials,
  ): Promise<boolean> {
    const probe = await this.send('GET', dagsPath, {
      query: { limit: 1 },
      credentials,
      label: '/dags',
    }).catch(() => undefined);
    return probe?.status === 401 || probe?.status === 403;
  }

  /**
   * Calls the REST API like {@link AirflowSession.request}, but hands over
   * the body of a 2xx answer as a stream instead of parsing it: the raw
   * request path for answers too large to hold (task logs). The caller must
   * read the body to its end or call `abort()`. Reading stalls for at most
   * the instance's timeout between chunks and `maxMs` in all.
   *
   * @throws the typed errors of `errors.ts` for non-2xx answers (their body
   *   read up to 64 KiB).
   */
  async stream(
    options: AirflowRequest & { accept: string; maxMs: number },
  ): Promise<AirflowStream> {
    const method = options.method ?? 'GET';
    const dialect = await this.dialect();
    const path = `${dialect.prefix}${options.path}`;
    let credentials = await this.#auth.getCredentials(dialect.apiVersion);
    let res = await this.#sendStream(method, path, options, credentials);
    if (res.status === 401 || res.status === 403) {
      const text = await res.readAll();
      const answer: HttpResult = {
        status: res.status,
        statusText: res.statusText,
        body: parseJson(text),
        text,
      };
      if (
        !this.#isRejectedCredentials(answer) ||
        !(await this.#auth.onRejected?.(credentials))
      ) {
        throw mapAirflowHttpError(answer, {
          instance: this.instance,
          method,
          path: options.path,
        });
      }
      this.#logger.info('Airflow rejected the credentials, sending again', {
        status: res.status,
      });
      credentials = await this.#auth.getCredentials(dialect.apiVersion);
      res = await this.#sendStream(method, path, options, credentials);
    }
    if (res.status >= 200 && res.status < 300) {
      return {
        status: res.status,
        headers: res.headers,
        body: res.body,
        abort: res.abort,
      };
    }
    const text = await res.readAll();
    throw mapAirflowHttpError(
      {
        status: res.status,
        statusText: res.statusText,
        body: parseJson(text),
        text,
      },
      {
        instance: this.instance,
        method,
        path: options.path,
      },
    );
  }

  async #sendStream(
    method: HttpMethod,
    path: string,
    options: AirflowRequest & { accept: string; maxMs: number },
    credentials: RequestCredentials,
  ) {
    const timeoutMs = this.#config.timeoutMs;
    const controller = new AbortController();
    const overall = setTimeout(() => controller.abort(), options.maxMs);
    overall.unref?.();
    let stream: Readable;
    let response;
    try {
      response = await this.#http.request<Readable>({
        method,
        url: `${this.baseUrl}${path}`,
        params: options.query,
        data: options.body,
        headers: {
          ...credentials.headers,
          Accept: options.accept,
          ...(options.body !== undefined
            ? { 'Content-Type': 'application/json' }
            : {}),
        },
        auth: credentials.basic,
        responseType: 'stream',
        signal: controller.signal,
      });
      stream = response.data;
    } catch (error) {
      clearTimeout(overall);
      throw mapNetworkError(error, {
        instance: this.instance,
        method,
        path: options.path,
        timeoutMs,
      });
    }
    const instance = this.instance;
    const label = `${method} ${options.path}`;
    let aborted = false;
    const abort = () => {
      if (aborted) return;
      aborted = true;
      clearTimeout(overall);
      controller.abort();
      stream.destroy();
    };
    async function* body(): AsyncGenerator<Buffer> {
      let idle: NodeJS.Timeout | undefined;
      let stalled = false;
      const arm = () => {
        clearTimeout(idle);
        if (timeoutMs > 0) {
          idle = setTimeout(() => {
            stalled = true;
            controller.abort();
            stream.destroy();
          }, timeoutMs);
          idle.unref?.();
        }
      };
      arm();
      try {
        for await (const chunk of stream) {
          arm();
          yield chunk as Buffer;
        }
      } catch (error) {
        if (aborted) return;
        if (stalled || controller.signal.aborted) {
          throw new ServiceUnavailableError(
            `Airflow instance '${instance}' stopped sending ${label} (${
              stalled
                ? `nothing for ${timeoutMs} ms`
                : `over ${options.maxMs} ms in all`
            })`,
          );
        }
        throw mapNetworkError(error, {
          instance,
          method,
          path: options.path,
          timeoutMs,
        });
      } finally {
        clearTimeout(idle);
        clearTimeout(overall);
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
      else if (Array.isArray(value))
        headers[name.toLowerCase()] = value.join(', ');
    }
    return {
      status: response.status,
      statusText: response.statusText ?? '',
      headers,
      body: body(),
      abort,
      /** The body as text, at most 64 KiB (for error answers); ends the transfer. */
      readAll: async (): Promise<string> => {
        const parts: Buffer[] = [];
        let size = 0;
        try {
          for await (const chunk of body()) {
            const room = STREAM_ERROR_BODY_MAX_BYTES - size;
            parts.push(chunk.subarray(0, room));
            size += Math.min(room, chunk.length);
            if (size >= STREAM_ERROR_BODY_MAX_BYTES) break;
          }
        } catch {
          // An error answer cut short still has its status.
        } finally {
          abort();
        }
        return Buffer.concat(parts).toString('utf8');
      },
    };
  }

  // ------------------------------------------------------------ API version

  /** The API generation: configured, or detected once (a failed detection is retried on the next call). */
  async apiVersion(): Promise<AirflowApiVersion> {
    if (this.#config.apiVersion !== 'auto') return this.#config.apiVersion;
    if (this.#apiVersion) return this.#apiVersion;
    const detected = (await this.#flights.run('version', () =>
      this.#detectVersion(),
    )) as AirflowApiVersion;
    this.#apiVersion = detected;
    return detected;
  }

  /** The dialect of {@link AirflowSession.apiVersion}. */
  async dialect(): Promise<AirflowDialect> {
    return dialectOf(await this.apiVersion());
  }

  /**
   * Airflow's own version (`3.3.2`), read from the version endpoint once
   * (during API version detection when that runs); undefined when Airflow
   * does not say. Failures are retried on the next call.
   */
  async serverVersion(): Promise<string | undefined> {
    if (this.#serverVersion) return this.#serverVersion;
    const dialect = await this.dialect();
    if (this.#serverVersion) return this.#serverVersion;
    const version = await this.#flights.run('server-version', async () => {
      const res = await this.send('GET', dialect.versionPath, {
        credentials: this.versionCredentials(dialect),
      });
      return res.status === 200 &&
        isPlainObject(res.body) &&
        typeof res.body.version === 'string'
        ? res.body.version
        : '';
    });
    if (version) this.#serverVersion = version;
    return version || undefined;
  }

  async #detectVersion(): Promise<AirflowApiVersion> {
    const probes: string[] = [];
    for (const dialect of DIALECTS_NEWEST_FIRST) {
      const res = await this.send('GET', dialect.versionPath, {
        credentials: this.versionCredentials(dialect),
      });
      const hasVersion =
        res.status === 200 &&
        isPlainObject(res.body) &&
        typeof res.body.version === 'string';
      // 401/403 with a JSON body on a version endpoint that wants credentials
      // is that generation refusing ours: the version is known, the calls
      // will report the credential problem.
      const refusesCredentials =
        dialect.versionNeedsAuth &&
        (res.status === 401 || res.status === 403) &&
        res.body !== undefined;
      if (hasVersion || refusesCredentials) {
        this.#logger.debug(`Detected Airflow ${dialect.prefix}`, {
          status: res.status,
        });
        if (hasVersion && isPlainObject(res.body)) {
          this.#serverVersion = String(res.body.version);
        }
        return dialect.apiVersion;
      }
      probes.push(
        `GET ${dialect.versionPath} → ${res.status} ${readAirflowMessage(
          res.body,
          res.text,
          res.status,
          res.statusText,
        )}`,
      );
    }
    throw new ServiceUnavailableError(
      `Airflow instance '${
        this.instance
      }' answers neither as Airflow 3 nor as Airflow 2 at ${
        this.baseUrl
      }: ${probes.join('; ')}`,
    );
  }

  // ------------------------------------------------------------ credentials

  /** 401, or 403 `Invalid JWT token`: Airflow refused the credentials themselves. */
  #isRejectedCredentials(res: HttpResult): boolean {
    if (res.status === 401) return true;
    return (
      res.status === 403 &&
      isPlainObject(res.body) &&
      res.body.detail === 'Invalid JWT token'
    );
  }

  /** Credentials for the version endpoint of v1 (never a login for a status check). */
  versionCredentials(dialect: AirflowDialect): RequestCredentials | undefined {
    return dialect.versionNeedsAuth
      ? this.#auth.getProbeCredentials?.() ?? {}
      : undefined;
  }
}

/** A JSON body, or undefined when the text is not JSON. */
function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
