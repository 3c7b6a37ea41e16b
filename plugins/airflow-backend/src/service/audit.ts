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
    const outcome = error instanceof NotAllowedError ? 'denied' : 'failed';
    await auditEvent.fail({ error: error as Error, meta: { outcome } });
    throw error;
  }
}
