/**
 * The domain limits of the Airflow plugins, defined once.
 *
 * The backend's OpenAPI spec (`plugins/airflow-backend/src/schema/openapi.yaml`)
 * repeats them as JSON Schema keywords (a test checks that both agree), the
 * backend enforces what the spec cannot express, the Airflow client relies on
 * them when it builds Airflow paths, and the frontend checks them before it
 * sends anything.
 */

/** Longest DAG id, in characters: Airflow's `dag.dag_id` column is `String(250)`. @public */
export const DAG_ID_MAX_LENGTH = 250;

/**
 * Characters of a DAG id: letters (any script), digits, `_`, `.` and `-`
 * (Airflow's `KEY_REGEX`, `^[\w.-]+$` in Python's Unicode sense), never `.`
 * or `..` alone (they would be normalised away in a URL path).
 * @public
 */
export const DAG_ID_PATTERN = /^(?!\.{1,2}$)[\p{L}\p{N}_.-]+$/u;

/** Longest DAG run id, in characters: Airflow's `dag_run.run_id` column is `String(250)`. @public */
export const RUN_ID_MAX_LENGTH = 250;

/**
 * Characters of a DAG run id: Airflow's default `[scheduler] allowed_run_id_pattern`
 * (`^[A-Za-z0-9_.~:+-]+$`), which the run ids Airflow generates also match
 * (`manual__2025-03-29T19:48:49.273773+00:00`). `.`, `..` and `~` alone are
 * refused: Airflow reads `~` as "every run".
 * @public
 */
export const RUN_ID_PATTERN = /^(?!(?:\.{1,2}|~)$)[A-Za-z0-9_.~:+-]+$/;

/** Longest instance name, in characters. @public */
export const INSTANCE_NAME_MAX_LENGTH = 100;

/** Characters of an instance name (`airflow.instances[].name`): starts with a letter or digit. @public */
export const INSTANCE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Longest Airflow tag accepted in the `airflow.apache.org/dag-tags` annotation, in characters. @public */
export const TAG_MAX_LENGTH = 100;

/** Longest entity kind in a plugin URL, in characters. @public */
export const ENTITY_KIND_MAX_LENGTH = 63;
/** Characters of an entity kind in a plugin URL. @public */
export const ENTITY_KIND_PATTERN = /^[A-Za-z0-9-]+$/;
/** Longest entity namespace in a plugin URL, in characters. @public */
export const ENTITY_NAMESPACE_MAX_LENGTH = 63;
/** Characters of an entity namespace in a plugin URL. @public */
export const ENTITY_NAMESPACE_PATTERN = /^[A-Za-z0-9._-]+$/;
/** Longest entity name in a plugin URL, in characters. @public */
export const ENTITY_NAME_MAX_LENGTH = 253;
/** Characters of an entity name in a plugin URL. @public */
export const ENTITY_NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * Longest note a user may write on a triggered DAG run, in characters. The
 * backend prefixes it with `Triggered from Backstage by <user>: `, and
 * Airflow stores at most {@link AIRFLOW_NOTE_MAX_LENGTH} characters.
 * @public
 */
export const NOTE_MAX_LENGTH = 800;

/** Longest note Airflow stores (`dag_run_note.content` is `String(1000)`), in characters. @public */
export const AIRFLOW_NOTE_MAX_LENGTH = 1000;

/**
 * A note may hold any character but these controls (tab and newline are
 * fine). As a pattern a whole note must match.
 * @public
 */
// eslint-disable-next-line no-control-regex
export const NOTE_PATTERN = /^[^\u0000-\u0008\u000b-\u001f\u007f]*$/;

/**
 * Deepest nesting of a run config (`conf`) the backend forwards: the object
 * itself is level 1. Airflow fails on very deep JSON with a server error.
 * @public
 */
export const CONF_MAX_DEPTH = 32;

/** Largest request body the backend reads, in bytes; a larger one is answered with 413. @public */
export const REQUEST_BODY_MAX_BYTES = 64 * 1024;

/** Largest page of DAG runs one request may ask for (Airflow's default `maximum_page_limit`). @public */
export const DAG_RUNS_PAGE_SIZE_MAX = 100;
/** Page size of DAG runs when a request names none. @public */
export const DAG_RUNS_PAGE_SIZE_DEFAULT = 25;
/** Largest offset into a DAG's runs a request may ask for. @public */
export const DAG_RUNS_OFFSET_MAX = 1_000_000;

/** Largest page of the ownership view (DAGs or dangling references) one request may ask for. @public */
export const OWNERSHIP_PAGE_SIZE_MAX = 100;
/** Page size of the ownership view when a request names none. @public */
export const OWNERSHIP_PAGE_SIZE_DEFAULT = 25;
/** Largest offset into the ownership view a request may ask for. @public */
export const OWNERSHIP_OFFSET_MAX = 1_000_000;
/** Longest search text of the ownership view, in characters. @public */
export const OWNERSHIP_SEARCH_MAX_LENGTH = 200;
/** Longest owner entity ref the ownership view filters by (kind, namespace and name at their limits). @public */
export const OWNER_REF_MAX_LENGTH = 400;

/** Earliest year of a logical date the backend accepts (years 0–99 would roll over to 19xx). @public */
export const LOGICAL_DATE_MIN_YEAR = 1900;
/** Latest year of a logical date the backend accepts. @public */
export const LOGICAL_DATE_MAX_YEAR = 2999;

/**
 * The shape of a logical date the backend accepts, on top of RFC 3339
 * `date-time`: a year from {@link LOGICAL_DATE_MIN_YEAR} to
 * {@link LOGICAL_DATE_MAX_YEAR}, seconds 00–59 (no leap second), and a
 * time zone (`Z` or an offset up to ±23:59).
 * @public
 */
export const LOGICAL_DATE_PATTERN =
  /^(?:19|2\d)\d{2}-\d{2}-\d{2}[Tt ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

/**
 * Depth of a JSON value: 0 for a scalar, 1 for an object or array of
 * scalars, and so on. Stops counting once `limit` is passed (so a hostile
 * value cannot cost more than `limit` levels of work).
 * @public
 */
export function jsonDepth(
  value: unknown,
  limit: number = CONF_MAX_DEPTH,
): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest >= limit) break;
  }
  return deepest + 1;
}

/**
 * Why a run config cannot be sent, or undefined when it can: it must be a
 * JSON object nested at most {@link CONF_MAX_DEPTH} levels deep.
 * @public
 */
export function checkRunConf(conf: unknown): string | undefined {
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) {
    return 'conf must be a JSON object, e.g. {"key": "value"}';
  }
  if (jsonDepth(conf, CONF_MAX_DEPTH + 1) > CONF_MAX_DEPTH) {
    return `conf is nested deeper than ${CONF_MAX_DEPTH} levels`;
  }
  return undefined;
}

/**
 * Why a note cannot be sent, or undefined when it can: at most
 * {@link NOTE_MAX_LENGTH} characters and none of the control characters
 * {@link NOTE_PATTERN} excludes.
 * @public
 */
export function checkNote(note: string): string | undefined {
  if (note.length > NOTE_MAX_LENGTH) {
    return `note is longer than ${NOTE_MAX_LENGTH} characters`;
  }
  if (!NOTE_PATTERN.test(note)) {
    return 'note may not contain control characters';
  }
  return undefined;
}

/** Longest task id, in characters: Airflow's `task_instance.task_id` column is `String(250)`. @public */
export const TASK_ID_MAX_LENGTH = 250;

/**
 * Characters of a task id: Airflow's `KEY_REGEX` as for DAG ids (a task in a
 * task group is `group.task`), never `.` or `..` alone.
 * @public
 */
export const TASK_ID_PATTERN = DAG_ID_PATTERN;

/** Map index of a task instance that is not mapped. @public */
export const MAP_INDEX_UNMAPPED = -1;

/**
 * Largest map index a request may name. Airflow expands a mapped task into at
 * most `[core] max_map_length` instances (1024 by default).
 * @public
 */
export const MAP_INDEX_MAX = 100_000;

/** Largest try number a request may name. @public */
export const TRY_NUMBER_MAX = 10_000;

/**
 * Longest continuation token of a task log, in characters. Airflow issues
 * tokens signed with itsdangerous (`payload.signature`, base64url); the ones
 * it issues are a few hundred characters long.
 * @public
 */
export const LOG_TOKEN_MAX_LENGTH = 4096;

/**
 * Shape of a log continuation token: itsdangerous' URL-safe serialization,
 * base64url payload and signature joined by `.` (a leading `.` marks a
 * compressed payload). A token of this shape that Airflow did not issue is
 * refused by Airflow ("Bad Signature") and answered with 400.
 * @public
 */
export const LOG_TOKEN_PATTERN = /^\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Most bytes of Airflow's log one answer of the backend reads and forwards:
 * a longer log is paged (`hasMore`), so no answer holds more than this.
 * @public
 */
export const LOG_PAGE_MAX_BYTES = 256 * 1024;

/** Longest log line forwarded, in characters; a longer one is cut (`…`). @public */
export const LOG_LINE_MAX_CHARS = 8 * 1024;

/** Longest exception message picked out of a log, in characters. @public */
export const LOG_ERROR_MESSAGE_MAX_CHARS = 2000;

/** Most exceptions one log page reports (the last ones read). @public */
export const LOG_ERRORS_MAX = 10;

/** Most lines a tail request (`tail=N`) may ask for. @public */
export const LOG_TAIL_LINES_MAX = 1000;

/** Lines of the log tail in a failure summary. @public */
export const LOG_TAIL_LINES_DEFAULT = 100;

/** Largest line offset into a log a request may ask for. @public */
export const LOG_OFFSET_MAX = 100_000_000;

/** Most runs the runs × tasks grid shows. @public */
export const GRID_RUNS_MAX = 25;
/** Runs of the grid when a request names no number. @public */
export const GRID_RUNS_DEFAULT = 10;
