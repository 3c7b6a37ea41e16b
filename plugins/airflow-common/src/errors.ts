/**
 * Names of the errors the Airflow backend answers with besides those of
 * `@backstage/errors` (`error.name` in the error body), so that clients can
 * tell them apart: an Airflow account lacking a permission is not a
 * Backstage policy denial (`NotAllowedError`), and both are 403.
 * @public
 */
export const AIRFLOW_ERROR_NAMES = {
  /**
   * 403: the Airflow account the plugin uses on an instance lacks the
   * permission in Airflow (e.g. a Viewer service account asked to trigger).
   */
  airflowPermission: 'AirflowPermissionError',
  /** 503: an instance refuses the plugin's configured credentials (authentication failed). */
  airflowAuthentication: 'AirflowAuthenticationError',
  /** 501: the Airflow version of the instance does not have the feature. */
  notSupported: 'AirflowNotSupportedError',
  /**
   * 503: the answer to a write was lost (timeout, dropped connection) and
   * Airflow's state could not be read back: the write may or may not have
   * happened. The message names what to look for (e.g. the DAG run id).
   */
  outcomeUnknown: 'AirflowOutcomeUnknownError',
} as const;
