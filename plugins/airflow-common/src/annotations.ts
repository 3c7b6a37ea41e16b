import type { Entity } from '@backstage/catalog-model';
import { z } from 'zod';
import {
  DAG_ID_MAX_LENGTH,
  DAG_ID_PATTERN,
  INSTANCE_NAME_MAX_LENGTH,
  INSTANCE_NAME_PATTERN,
  TAG_MAX_LENGTH,
} from './limits';

/**
 * Annotation naming an entity's DAGs: comma-separated DAG ids, each optionally
 * prefixed with an instance name and a colon, e.g. `orders_etl, prod:billing`.
 * @public
 */
export const AIRFLOW_DAG_IDS_ANNOTATION = 'airflow.apache.org/dag-ids';

/**
 * Annotation selecting DAGs by Airflow tag: comma-separated tags; every DAG of
 * the entity's default instance carrying one of them belongs to the entity.
 * @public
 */
export const AIRFLOW_DAG_TAGS_ANNOTATION = 'airflow.apache.org/dag-tags';

/**
 * Annotation naming the entity's default Airflow instance (a name from
 * `airflow.instances[].name`). Without it the first configured instance is used.
 * @public
 */
export const AIRFLOW_INSTANCE_ANNOTATION = 'airflow.apache.org/instance';

/** Zod schema of a DAG id ({@link DAG_ID_PATTERN}, at most {@link DAG_ID_MAX_LENGTH} characters). @public */
export const dagIdSchema = z
  .string()
  .min(1, 'DAG id is empty')
  .max(
    DAG_ID_MAX_LENGTH,
    `DAG id is longer than ${DAG_ID_MAX_LENGTH} characters`,
  )
  .refine(v => v !== '.' && v !== '..', 'DAG id may not be "." or ".."')
  .regex(
    DAG_ID_PATTERN,
    'DAG id may contain only letters, digits, "_", "." and "-"',
  );

/** Zod schema of an instance name ({@link INSTANCE_NAME_PATTERN}). @public */
export const instanceNameSchema = z
  .string()
  .min(1, 'instance name is empty')
  .max(
    INSTANCE_NAME_MAX_LENGTH,
    `instance name is longer than ${INSTANCE_NAME_MAX_LENGTH} characters`,
  )
  .regex(
    INSTANCE_NAME_PATTERN,
    'instance name may contain only letters, digits, "_" and "-", and must start with a letter or digit',
  );

const tagSchema = z
  .string()
  .min(1, 'tag is empty')
  .max(TAG_MAX_LENGTH, `tag is longer than ${TAG_MAX_LENGTH} characters`);

/** A DAG reference from the `dag-ids` annotation. @public */
export interface AirflowDagRef {
  /** The instance named in the annotation, or undefined for the entity's default. */
  instance?: string;
  /** The DAG id. */
  dagId: string;
}

/** The parsed Airflow annotations of an entity. @public */
export interface AirflowAnnotations {
  /** The value of `airflow.apache.org/instance`, if set. */
  instance?: string;
  /** DAGs named by id, deduplicated, in annotation order. */
  dagRefs: AirflowDagRef[];
  /** Tags from `airflow.apache.org/dag-tags`, deduplicated. */
  tags: string[];
}

/** Thrown by {@link parseAirflowAnnotations} for a malformed annotation value. @public */
export class AirflowAnnotationError extends Error {
  /** The annotation's key, e.g. `airflow.apache.org/dag-ids`. */
  readonly annotation: string;
  /**
   * @param annotation - the annotation's key
   * @param message - what is wrong with its value
   */
  constructor(annotation: string, message: string) {
    super(`Invalid annotation ${annotation}: ${message}`);
    this.name = 'AirflowAnnotationError';
    this.annotation = annotation;
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map(s => s.trim())
    .filter(s => s.length > 0);
}

function check<T>(schema: z.ZodType<T>, value: unknown, annotation: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AirflowAnnotationError(
      annotation,
      `${JSON.stringify(value)}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

/**
 * Parses the Airflow annotations of an entity.
 *
 * @returns the instance, DAG references and tags; empty lists when absent.
 * @throws AirflowAnnotationError naming the annotation and the bad value.
 * @public
 */
export function parseAirflowAnnotations(entity: Entity): AirflowAnnotations {
  const annotations = entity.metadata.annotations ?? {};
  const result: AirflowAnnotations = { dagRefs: [], tags: [] };

  const instance = annotations[AIRFLOW_INSTANCE_ANNOTATION]?.trim();
  if (instance) {
    result.instance = check(
      instanceNameSchema,
      instance,
      AIRFLOW_INSTANCE_ANNOTATION,
    );
  }

  const seen = new Set<string>();
  for (const item of splitList(annotations[AIRFLOW_DAG_IDS_ANNOTATION] ?? '')) {
    const colon = item.indexOf(':');
    const ref: AirflowDagRef =
      colon === -1
        ? { dagId: check(dagIdSchema, item, AIRFLOW_DAG_IDS_ANNOTATION) }
        : {
            instance: check(
              instanceNameSchema,
              item.slice(0, colon).trim(),
              AIRFLOW_DAG_IDS_ANNOTATION,
            ),
            dagId: check(
              dagIdSchema,
              item.slice(colon + 1).trim(),
              AIRFLOW_DAG_IDS_ANNOTATION,
            ),
          };
    const key = `${ref.instance ?? ''}\u0000${ref.dagId}`;
    if (!seen.has(key)) {
      seen.add(key);
      result.dagRefs.push(ref);
    }
  }

  const tags = new Set<string>();
  for (const tag of splitList(annotations[AIRFLOW_DAG_TAGS_ANNOTATION] ?? '')) {
    tags.add(check(tagSchema, tag, AIRFLOW_DAG_TAGS_ANNOTATION));
  }
  result.tags = [...tags];
  return result;
}

/**
 * True when the entity names DAGs through `airflow.apache.org/dag-ids` or
 * `airflow.apache.org/dag-tags` (a non-empty value).
 * @public
 */
export function isAirflowAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[AIRFLOW_DAG_IDS_ANNOTATION]?.trim() ||
      annotations[AIRFLOW_DAG_TAGS_ANNOTATION]?.trim(),
  );
}
