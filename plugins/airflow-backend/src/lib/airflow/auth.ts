import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import type { AirflowApiVersion } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { decodeJwt } from 'jose';
import { AirflowAuthenticationError, readAirflowMessage } from './errors';
import { isPlainObject } from './raw';
import type { AirflowAuthConfig } from './types';

/**
 * How one request to Airflow authenticates: headers to add and/or HTTP basic
 * credentials.
 * @public
 */
export interface AirflowRequestCredentials {
  /** Headers to send, e.g. `Authorization: Bearer …`. */
  headers?: Record<string, string>;
  /** HTTP basic credentials (Airflow 2's `basic_auth` API backend). */
  basic?: { username: string; password: string };
}

/**
 * An answer of Airflow as an auth provider sees it.
 * @public
 */
export interface AirflowAuthResponse {
  /** The HTTP status code. */
  status: number;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: unknown;
  /** The raw body text. */
  text: string;
}

/**
 * What an auth provider may use: the instance, the API generation it
 * speaks, and a way to send a request below the instance's base URL (for
 * example to a token endpoint), with the instance's TLS settings and timeout.
 * @public
 */
export interface AirflowAuthContext {
  /** The instance name (`airflow.instances[].name`). */
  instance: string;
  /** Base URL of the instance's API server. */
  baseUrl: string;
  /** A logger naming the instance. */
  logger: LoggerService;
  /** Sends a JSON request to `{baseUrl}{path}` without credentials. */
  send(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<AirflowAuthResponse>;
}

/**
 * Authenticates the plugin's requests to one Airflow instance.
 * @public
 */
export interface AirflowAuthProvider {
  /**
   * Credentials for the next request to an instance speaking `apiVersion`.
   * May log in (and should cache what it gets).
   *
   * @throws an error with `statusCode` 503 (e.g. `AirflowAuthenticationError`)
   *   when the instance refuses the configured credentials.
   */
  getCredentials(
    apiVersion: AirflowApiVersion,
  ): Promise<AirflowRequestCredentials>;
  /**
   * Airflow rejected a request made with `rejected` (401, or 403
   * `Invalid JWT token`). Return true when fresh credentials are available,
   * so that the request is sent once more; false to report the rejection.
   */
  onRejected?(rejected: AirflowRequestCredentials): Promise<boolean>;
  /**
   * Credentials for the version endpoint, used while the API generation is
   * being detected; defaults to none.
   */
  getProbeCredentials?(): AirflowRequestCredentials;
}

/**
 * Creates the auth provider of an instance whose `auth.type` is
 * {@link AirflowAuthProviderFactory."type"}, from that instance's `auth`
 * config block. Register one with `airflowAuthProvidersExtensionPoint`.
 * @public
 */
export interface AirflowAuthProviderFactory {
  /** The `airflow.instances[].auth.type` this factory serves, e.g. `gcp-identity`. */
  type: string;
  /**
   * Creates the provider. `config` is the instance's `auth` block; read your
   * own keys from it (declare them in your module's config schema, secrets
   * with `@visibility secret`).
   */
  create(options: {
    config: Config;
    context: AirflowAuthContext;
  }): AirflowAuthProvider;
}

/** Renew a JWT this long before it expires (less for short-lived tokens: half their lifetime). */
const TOKEN_RENEW_MARGIN_MS = 60_000;
/** First wait after credentials were refused, then doubled up to {@link LOGIN_BACKOFF_MAX_MS}. */
export const LOGIN_BACKOFF_START_MS = 5_000;
/** Longest wait between login attempts while credentials are refused. */
export const LOGIN_BACKOFF_MAX_MS = 5 * 60_000;

/**
 * When to renew a JWT: shortly before it expires, its lifetime measured on
 * our own clock (`exp - iat` from now), so clock skew between Backstage and
 * Airflow cannot make every call log in again. A token without `exp` is
 * kept until Airflow rejects it.
 */
export function renewAtOf(token: string, now = Date.now()): number {
  let exp: number | undefined;
  let iat: number | undefined;
  try {
    const claims = decodeJwt(token);
    exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    iat = typeof claims.iat === 'number' ? claims.iat * 1000 : undefined;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  if (exp !== undefined && iat !== undefined && exp > iat) {
    const lifetime = exp - iat;
    return now + lifetime - Math.min(TOKEN_RENEW_MARGIN_MS, lifetime / 2);
  }
  if (exp !== undefined) return exp - TOKEN_RENEW_MARGIN_MS;
  return Number.POSITIVE_INFINITY;
}

/**
 * Username and password: Airflow 3 exchanges them for a JWT at
 * `POST {base}/auth/token` (SimpleAuthManager answers 200, the FAB auth
 * manager 201), kept until shortly before it expires, one login shared by
 * concurrent callers, renewed once when Airflow rejects it; Airflow 2 gets
 * them as HTTP basic auth.
 *
 * While the instance refuses the credentials, logins are not retried on
 * every request: the refusal is answered again without calling Airflow for
 * a wait that starts at {@link LOGIN_BACKOFF_START_MS} and doubles up to
 * {@link LOGIN_BACKOFF_MAX_MS}, so an identity provider's lockout policy is
 * not tripped. New credentials (a config reload creates a new provider)
 * end the wait at once.
 */
export class PasswordAuthProvider implements AirflowAuthProvider {
  readonly #credentials: { username: string; password: string };
  readonly #context: AirflowAuthContext;
  #jwt?: { token: string; renewAt: number };
  #login?: Promise<string>;
  #refusal?: { error: Error; retryAt: number; waitMs: number };
  /** Logins sent to Airflow (for tests and metrics). */
  loginAttempts = 0;

  constructor(
    credentials: { username: string; password: string },
    context: AirflowAuthContext,
  ) {
    this.#credentials = credentials;
    this.#context = context;
  }

  getProbeCredentials(): AirflowRequestCredentials {
    return { basic: { ...this.#credentials } };
  }

  async getCredentials(
    apiVersion: AirflowApiVersion,
  ): Promise<AirflowRequestCredentials> {
    if (apiVersion === 'v1') return { basic: { ...this.#credentials } };
    const token =
      this.#jwt && Date.now() < this.#jwt.renewAt
        ? this.#jwt.token
        : await this.#sharedLogin();
    return { headers: { Authorization: `Bearer ${token}` } };
  }

  async onRejected(rejected: AirflowRequestCredentials): Promise<boolean> {
    const auth = rejected.headers?.Authorization;
    if (!auth?.startsWith('Bearer ')) return false;
    const token = auth.slice('Bearer '.length);
    // Another caller already renewed it.
    if (
      this.#jwt &&
      this.#jwt.token !== token &&
      Date.now() < this.#jwt.renewAt
    ) {
      return true;
    }
    if (this.#jwt?.token === token) this.#jwt = undefined;
    await this.#sharedLogin();
    return true;
  }

  #sharedLogin(): Promise<string> {
    this.#login ??= this.#doLogin().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #doLogin(): Promise<string> {
    if (this.#refusal && Date.now() < this.#refusal.retryAt) {
      throw this.#refusal.error;
    }
    const path = '/auth/token';
    const where = `Airflow instance '${this.#context.instance}'`;
    this.#context.logger.debug('Logging in to Airflow for a JWT');
    this.loginAttempts++;
    const res = await this.#context.send('POST', path, {
      username: this.#credentials.username,
      password: this.#credentials.password,
    });
    if (res.status === 200 || res.status === 201) {
      const token = isPlainObject(res.body) ? res.body.access_token : undefined;
      if (typeof token !== 'string' || !token) {
        throw new ServiceUnavailableError(
          `${where} answered POST ${path} without an access_token`,
        );
      }
      this.#refusal = undefined;
      this.#jwt = { token, renewAt: renewAtOf(token) };
      return token;
    }
    const message = readAirflowMessage(res.body, res.text, res.status);
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      const waitMs = this.#refusal
        ? Math.min(this.#refusal.waitMs * 2, LOGIN_BACKOFF_MAX_MS)
        : LOGIN_BACKOFF_START_MS;
      const error = new AirflowAuthenticationError(
        `${where} rejected the configured credentials (authentication failed; POST ${path} answered ${
          res.status
        }): ${message}. Next login attempt in ${Math.round(
          waitMs / 1000,
        )} s at the earliest.`,
      );
      this.#refusal = { error, retryAt: Date.now() + waitMs, waitMs };
      throw error;
    }
    throw new ServiceUnavailableError(
      `${where} could not issue a token (POST ${path} answered ${res.status}): ${message}`,
    );
  }
}

/** A static bearer token (managed Airflow offerings, pre-issued tokens). */
export class StaticTokenAuthProvider implements AirflowAuthProvider {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  getProbeCredentials(): AirflowRequestCredentials {
    return { headers: { Authorization: `Bearer ${this.#token}` } };
  }

  async getCredentials(): Promise<AirflowRequestCredentials> {
    return this.getProbeCredentials();
  }
}

/**
 * The built-in provider of an instance's parsed `auth` config.
 *
 * @throws Error for an `auth.type` served by an extension (those providers
 *   are created by the plugin from the registered factories).
 */
export function builtInAuthProvider(
  auth: AirflowAuthConfig,
  context: AirflowAuthContext,
): AirflowAuthProvider {
  switch (auth.type) {
    case 'password':
      return new PasswordAuthProvider(
        { username: auth.username, password: auth.password },
        context,
      );
    case 'token':
      return new StaticTokenAuthProvider(auth.token);
    case 'none':
      return noAuthProvider;
    default:
      throw new Error(
        `Airflow instance '${context.instance}': auth.type '${auth.name}' needs an auth provider module`,
      );
  }
}

/** No credentials (an Airflow that needs none). */
export const noAuthProvider: AirflowAuthProvider = {
  async getCredentials() {
    return {};
  },
};
