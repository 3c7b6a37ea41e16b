/** Query parameter selecting the instance of the DAG whose runs the Airflow tab shows. */
export const SELECTED_INSTANCE_PARAM = 'instance';
/** Query parameter holding the selected DAG id. */
export const SELECTED_DAG_PARAM = 'dag';
/** Query parameter holding the run id of the DAG run whose task instances the runs view shows. */
export const SELECTED_RUN_PARAM = 'run';
/** Query parameter, once per state, of the runs view's state filter. */
export const RUN_STATE_PARAM = 'state';

/**
 * The query string (with its `?`) of the Airflow tab that opens the runs
 * view of a DAG, with the task instances of `runId` shown when given.
 */
export function dagRunsQuery(
  instance: string,
  dagId: string,
  runId?: string,
): string {
  const params = new URLSearchParams();
  params.set(SELECTED_INSTANCE_PARAM, instance);
  params.set(SELECTED_DAG_PARAM, dagId);
  if (runId) params.set(SELECTED_RUN_PARAM, runId);
  return `?${params.toString()}`;
}

/**
 * Query parameter that opens the trigger dialog of the selected DAG,
 * prefilled with its value as the run config (JSON text; empty for the
 * params' defaults). The dialog never triggers by itself.
 */
export const TRIGGER_CONF_PARAM = 'trigger';

/**
 * A link to the Airflow tab at `tabUrl` that opens the trigger dialog of a
 * DAG prefilled with `confText`; other query parameters of `tabUrl` are
 * dropped.
 */
export function triggerDialogLink(
  tabUrl: string,
  instance: string,
  dagId: string,
  confText: string,
): string {
  const url = new URL(tabUrl);
  url.search = '';
  url.hash = '';
  url.searchParams.set(SELECTED_INSTANCE_PARAM, instance);
  url.searchParams.set(SELECTED_DAG_PARAM, dagId);
  url.searchParams.set(TRIGGER_CONF_PARAM, compactJson(confText));
  return url.toString();
}

/** JSON text without its indentation when it parses; as it is otherwise. */
export function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** JSON text indented by two spaces when it parses; as it is otherwise. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
