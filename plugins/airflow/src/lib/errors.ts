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
