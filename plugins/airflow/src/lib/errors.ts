import { AIRFLOW_ERROR_NAMES } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { ResponseError } from '@backstage/errors';

/**
 * The message to show for a failed request: the backend's own message (for
 * example Airflow's param validation message) rather than the generic
 * "Request failed with 400 Bad Request".
 */
export function errorMessage(error: unknown): string {
  if (ResponseError.is(error)) {
    return error.cause.message || error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The HTTP status of a failed backend request, if it was one. */
export function errorStatus(error: unknown): number | undefined {
  return ResponseError.is(error) ? error.statusCode : undefined;
}

/** A failed request as the backend typed it: HTTP status, error name and message. */
export interface TypedRequestError {
  status: number;
  /** The error's name in the answer (`ServiceUnavailableError`, `NotAllowedError`, …). */
  name: string;
  message: string;
}

/** The status, name and message of a failed backend request, if it was one. */
export function typedRequestError(
  error: unknown,
): TypedRequestError | undefined {
  if (!ResponseError.is(error)) return undefined;
  return {
    status: error.statusCode,
    name: error.cause.name || error.name,
    message: errorMessage(error),
  };
}

/**
 * What an instance's failure means, in one line: `Airflow instance prod is
 * unavailable`, `… is unknown`, `… refused the plugin's credentials`.
 */
export function instanceErrorReason(
  instance: string,
  error: Pick<TypedRequestError, 'status' | 'name'>,
): string {
  if (error.name === AIRFLOW_ERROR_NAMES.airflowAuthentication) {
    return `Airflow instance ${instance} refused the plugin's credentials`;
  }
  if (error.name === AIRFLOW_ERROR_NAMES.airflowPermission) {
    return `The Airflow account of instance ${instance} lacks a permission in Airflow`;
  }
  if (error.name === AIRFLOW_ERROR_NAMES.notSupported) {
    return `The Airflow version of instance ${instance} does not support this`;
  }
  if (error.name === 'NotAllowedError' || error.status === 403) {
    return 'You are not allowed to see this';
  }
  if (error.status === 404) return `Airflow instance ${instance} is unknown`;
  if (error.status === 503)
    return `Airflow instance ${instance} is unavailable`;
  return `Airflow instance ${instance} failed (${error.status})`;
}
