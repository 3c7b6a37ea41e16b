import type {
  AuditorServiceEvent,
  AuditorServiceEventSeverityLevel,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { JsonObject } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/**
 * Starts an auditor event for the current request. The router binds it to
 * the HTTP request (so the event carries the actor and request details);
 * services never see the request itself.
 */
export type AuditEventStarter = (event: {
  eventId: string;
  severityLevel?: AuditorServiceEventSeverityLevel;
  meta?: JsonObject;
}) => Promise<AuditorServiceEvent>;

/**
 * Runs a write as one auditor event: `succeeded` with the action's extra
 * meta, or a failure with `denied` (the permission policy said no) or
 * `failed` (anything else: not found, bad input, Airflow's refusal or
 * outage). The error is rethrown unchanged.
 */
export async function audited<T>(
  start: AuditEventStarter,
  event: { eventId: string; meta: JsonObject },
  action: () => Promise<{ result: T; meta?: JsonObject }>,
): Promise<T> {
  const auditEvent = await start({
    eventId: event.eventId,
    severityLevel: 'medium',
    meta: event.meta,
  });
  try {
    const { result, meta } = await action();
    await auditEvent.success({ meta: { outcome: 'succeeded', ...meta } });
    return result;
  } catch (error) {
    await auditEvent.fail({
      error: error as Error,
      meta: { outcome: outcomeOf(error) },
    });
    throw error;
  }
}

/**
 * The outcome an audit event records for a failure: `denied` when the
 * permission policy (or a missing or invalid Backstage token) refused the
 * caller, `failed` otherwise.
 */
export function outcomeOf(error: unknown): 'denied' | 'failed' {
  return error instanceof NotAllowedError ||
    (error instanceof Error &&
      (error.name === 'NotAllowedError' ||
        error.name === 'AuthenticationError'))
    ? 'denied'
    : 'failed';
}

/**
 * Records a write that was refused before it reached its service (the
 * request was invalid: a malformed entity ref, DAG id or body, a body that
 * is not JSON or too large; or the caller had no valid token), so that
 * probes show up in the audit trail like any other attempt.
 */
export async function auditRefused(
  start: AuditEventStarter,
  event: { eventId: string; meta: JsonObject },
  error: Error,
): Promise<void> {
  const auditEvent = await start({
    eventId: event.eventId,
    severityLevel: 'medium',
    meta: event.meta,
  });
  await auditEvent.fail({
    error,
    meta: { outcome: outcomeOf(error), refusedBeforeHandler: true },
  });
}
