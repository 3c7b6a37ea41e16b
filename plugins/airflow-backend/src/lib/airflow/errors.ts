/**
 * Translation of Airflow's error answers (and of failures to get one) into
 * typed `@backstage/errors`.
 *
 * Airflow speaks three error dialects:
 * - v1 (Airflow 2, Connexion): RFC 7807 problem+json `{detail, title, status, type}`;
 *   `detail` may be null, validation errors are 400.
 * - v2 (Airflow 3, FastAPI): `{detail: string | object | array}`; 422 carries an
 *   array of `{loc, msg, type}`; a database conflict (409) carries an object
 *   `{reason, statement, orig_error, message}`.
 * - removed paths (`/api/v1` on Airflow 3, `/health`): `{error: string}`.
 * Proxies and very old releases may also answer HTML or plain text.
 *
 * Status mapping (the `HTTP status → Backstage error` decision):
 * - 400, 422 → `InputError` (the request, i.e. the user's input, is wrong).
 * - 401 → {@link AirflowAuthenticationError} (503) naming the instance and
 *   "authentication failed". Airflow rejecting *our* configured service
 *   credentials is a server misconfiguration, not the Backstage user's fault;
 *   an `AuthenticationError` would become a 401 to the browser and read as
 *   "your Backstage session is invalid", which is wrong and can trigger
 *   sign-in loops.
 * - 403 → {@link AirflowPermissionError} (403): the configured Airflow account
 *   lacks a permission in Airflow, told apart from a Backstage policy denial
 *   (`NotAllowedError`) by its name. A 403 `Invalid JWT token` that survives
 *   a re-login is a server misconfiguration (API servers not sharing
 *   `jwt_secret`) → `ServiceUnavailableError`.
 * - 404 → `NotFoundError`, except a removed-path `{error}` body, which means
 *   the instance speaks another API generation than configured →
 *   `ServiceUnavailableError`.
 * - 409 → `ConflictError`.
 * - anything else (5xx, 405, unexpected statuses) → `ServiceUnavailableError`.
 * Every message carries Airflow's own text and the instance name.
 */

import { isAxiosError } from 'axios';
import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { AIRFLOW_ERROR_NAMES } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/**
 * 403: the Airflow account of an instance lacks a permission in Airflow
 * (for example a Viewer service account asked to trigger). Not a Backstage
 * policy denial: audited as failed, shown as Airflow's refusal.
 */
export class AirflowPermissionError extends CustomErrorBase {
  override name = AIRFLOW_ERROR_NAMES.airflowPermission;
  readonly statusCode = 403;
}

/** 503: an instance refuses the configured credentials (or issues no token for them). */
export class AirflowAuthenticationError extends CustomErrorBase {
  override name = AIRFLOW_ERROR_NAMES.airflowAuthentication;
  readonly statusCode = 503;
}

/** 501: the Airflow version of an instance does not have a feature. */
export class AirflowNotSupportedError extends CustomErrorBase {
  override name = AIRFLOW_ERROR_NAMES.notSupported;
  readonly statusCode = 501;
}

/** 503: a write's answer was lost and Airflow's state could not be read back. */
export class AirflowOutcomeUnknownError extends CustomErrorBase {
  override name = AIRFLOW_ERROR_NAMES.outcomeUnknown;
  readonly statusCode = 503;
}

const MAX_TEXT_LENGTH = 300;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(text: string): string {
  return text.length > MAX_TEXT_LENGTH
    ? `${text.slice(0, MAX_TEXT_LENGTH - 1)}…`
    : text;
}

/** Readable text of a non-JSON (HTML or plain text) body. */
export function readTextBody(text: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(text)?.[1];
  const source = title ?? heading ?? text;
  const plain = source
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return truncate(plain);
}

function formatValidationEntry(entry: unknown): string {
  if (!isPlainObject(entry)) {
    return typeof entry === 'string' ? entry : JSON.stringify(entry);
  }
  const loc = Array.isArray(entry.loc) ? entry.loc.map(String).join('.') : '';
  const msg = typeof entry.msg === 'string' ? entry.msg : JSON.stringify(entry);
  return loc ? `${loc}: ${msg}` : msg;
}

/** Readable text of a v2 `detail` object such as the 409/500 database error body. */
function formatDetailObject(detail: Record<string, unknown>): string {
  const reason = typeof detail.reason === 'string' ? detail.reason : undefined;
  const message =
    typeof detail.message === 'string' ? detail.message : undefined;
  if (reason && message) {
    return `${reason}: ${message}`;
  }
  return reason ?? message ?? JSON.stringify(detail);
}

/**
 * Airflow's own message from an error answer, in any of its dialects,
 * falling back to the HTTP status line.
 */
export function readAirflowMessage(
  body: unknown,
  text: string,
  status: number,
  statusText?: string,
): string {
  if (isPlainObject(body)) {
    const detail = body.detail;
    if (typeof detail === 'string' && detail.trim()) {
      return truncate(detail.trim());
    }
    if (Array.isArray(detail) && detail.length > 0) {
      return truncate(detail.map(formatValidationEntry).join('; '));
    }
    if (isPlainObject(detail)) {
      return truncate(formatDetailObject(detail));
    }
    for (const key of ['error', 'title', 'message'] as const) {
      const value = body[key];
      if (typeof value === 'string' && value.trim()) {
        return truncate(value.trim());
      }
    }
  }
  if (body === undefined && text.trim()) {
    const plain = readTextBody(text);
    if (plain) {
      return plain;
    }
  }
  return `${status}${statusText ? ` ${statusText}` : ''}`.trim();
}

/** What {@link mapAirflowHttpError} needs to know about the failed call. */
export interface AirflowErrorContext {
  /** Instance name from config. */
  instance: string;
  /** HTTP method, for messages about unexpected failures. */
  method: string;
  /** Path below the API prefix (no query string), for messages about unexpected failures. */
  path: string;
  /** Replaces the default message of a 409 answer. */
  conflictMessage?: (airflowMessage: string) => string;
}

/** Maps a non-2xx Airflow answer to a typed Backstage error (see the module doc for the table). */
export function mapAirflowHttpError(
  response: {
    status: number;
    statusText?: string;
    body: unknown;
    text: string;
  },
  ctx: AirflowErrorContext,
): Error {
  const { status, body, text } = response;
  const message = readAirflowMessage(body, text, status, response.statusText);
  const where = `Airflow instance '${ctx.instance}'`;
  switch (status) {
    case 400:
    case 422:
      return new InputError(`${message} (${where})`);
    case 401:
      return new AirflowAuthenticationError(
        `${where} rejected the configured credentials (authentication failed): ${message}`,
      );
    case 403:
      if (isPlainObject(body) && body.detail === 'Invalid JWT token') {
        // Still refused after a fresh login: the API servers do not share `[api_auth] jwt_secret`.
        return new ServiceUnavailableError(
          `${where} rejected the token it just issued (check that all its API servers share [api_auth] jwt_secret): ${message}`,
        );
      }
      return new AirflowPermissionError(
        `The Airflow account of instance '${ctx.instance}' lacks the permission for ${ctx.method} ${ctx.path}: ${message}`,
      );
    case 404:
      if (
        isPlainObject(body) &&
        typeof body.error === 'string' &&
        !('detail' in body)
      ) {
        return new ServiceUnavailableError(
          `${where} does not serve ${ctx.path} for the configured API version: ${message}`,
        );
      }
      return new NotFoundError(`${message} (${where})`);
    case 409:
      return new ConflictError(
        ctx.conflictMessage
          ? ctx.conflictMessage(message)
          : `${message} (${where})`,
      );
    default:
      return new ServiceUnavailableError(
        `${where} failed on ${ctx.method} ${ctx.path} with status ${status}: ${message}`,
      );
  }
}

/**
 * Maps a failure to get any answer (connection refused, DNS, reset, timeout)
 * to a `ServiceUnavailableError`. The axios error itself is not attached as
 * cause: it holds the request config, including the Authorization header.
 */
export function mapNetworkError(
  error: unknown,
  ctx: { instance: string; method: string; path: string; timeoutMs: number },
): ServiceUnavailableError {
  const where = `Airflow instance '${ctx.instance}'`;
  let code: string | undefined;
  let message = error instanceof Error ? error.message : String(error);
  if (isAxiosError(error)) {
    code = error.code;
    // Node reports ECONNREFUSED of a dual-stack host as an AggregateError without message.
    if (!message && error.cause instanceof Error) {
      message = error.cause.message;
    }
  }
  const timedOut =
    code === 'ECONNABORTED' ||
    code === 'ETIMEDOUT' ||
    code === 'ERR_CANCELED' ||
    /timeout/i.test(message);
  if (timedOut) {
    return new ServiceUnavailableError(
      `${where} did not answer within ${ctx.timeoutMs} ms (${ctx.method} ${ctx.path})`,
    );
  }
  let reason = message || code || 'network error';
  if (code && message && !message.includes(code)) {
    reason = `${code}: ${message}`;
  }
  return new ServiceUnavailableError(
    `${where} is unreachable: ${truncate(reason)}`,
  );
}
