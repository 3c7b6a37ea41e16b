import {
  checkRunConf,
  type JsonObject,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** Message shown when a run config parses but is not a JSON object. */
export const RUN_CONF_NOT_OBJECT_MESSAGE =
  'Run config (conf) must be a JSON object, e.g. {"key": "value"}';

/** The outcome of {@link parseRunConf}. */
export type RunConfParseResult =
  | { conf: JsonObject; error?: undefined }
  | { conf?: undefined; error: string };

/**
 * Parses the text of the run config editor. Blank text is an empty config;
 * anything but a JSON object (arrays, strings, numbers, booleans, null) is
 * refused, as Airflow refuses it, and so is an object nested deeper than the
 * backend forwards (`CONF_MAX_DEPTH`).
 */
export function parseRunConf(text: string): RunConfParseResult {
  if (!text.trim()) return { conf: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `Invalid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: RUN_CONF_NOT_OBJECT_MESSAGE };
  }
  const problem = checkRunConf(value);
  if (problem) return { error: `Run config (${problem})` };
  return { conf: value as JsonObject };
}
