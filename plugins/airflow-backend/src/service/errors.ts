import { NotFoundError, serializeError } from '@backstage/errors';
import type { AirflowInstanceError } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** HTTP status of a per-instance failure, by error name; anything else is Airflow being unavailable. */
const STATUS_BY_ERROR_NAME: Record<string, number> = {
  NotFoundError: 404,
  NotAllowedError: 403,
  InputError: 400,
};

/** A failure of one instance while answering a request, in the shape the API reports it. */
export function toInstanceError(
  instance: string,
  error: unknown,
): AirflowInstanceError {
  const serialized = serializeError(error as Error);
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  return {
    instance,
    status:
      typeof statusCode === 'number'
        ? statusCode
        : STATUS_BY_ERROR_NAME[serialized.name ?? ''] ?? 503,
    name: serialized.name ?? 'Error',
    message: serialized.message ?? String(error),
  };
}

/** The error for an annotation naming an instance that is not configured. */
export function unknownInstanceError(
  instance: string,
  configured: string[],
): NotFoundError {
  return new NotFoundError(
    `Unknown Airflow instance '${instance}'; configured instances: ${configured.join(
      ', ',
    )}`,
  );
}
