import {
  readableAirflowParamError,
  type AirflowDagRun,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { ResponseError } from '@backstage/errors';
import { errorMessage, errorStatus } from './errors';

/** A refused trigger, as the dialog shows it. */
export interface TriggerRefusal {
  /** The whole message, one line (`top_n: must be at most 100 (Airflow instance 'local')`). */
  message: string;
  /** The param Airflow refused and why, to show on its field. */
  field?: { param: string; reason: string };
  /** The run that already has this run id or logical date (409). */
  existingRun?: AirflowDagRun;
}

/**
 * What a failed trigger means: Airflow's param refusal in one line (the
 * backend cleans it; a raw one is cleaned here too) tied to its field when
 * it names a param, or the existing run of a 409.
 */
export function triggerRefusalOf(
  error: unknown,
  paramNames: readonly string[],
): TriggerRefusal {
  const message = readableAirflowParamError(errorMessage(error));
  const status = errorStatus(error);
  if (status === 409 && ResponseError.is(error)) {
    const existingRun = (error.body.error as { existingRun?: AirflowDagRun })
      .existingRun;
    return existingRun ? { message, existingRun } : { message };
  }
  if (status === 400) {
    const param = paramNames.find(name => message.startsWith(`${name}: `));
    if (param) {
      const reason = message
        .slice(param.length + 2)
        .replace(/ \(Airflow instance '[^']*'\)$/, '');
      return { message, field: { param, reason } };
    }
  }
  return { message };
}
