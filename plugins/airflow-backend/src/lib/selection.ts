import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  AirflowAnnotationError,
  parseAirflowAnnotations,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** What an entity's annotations select on one instance. */
export interface EntityDagSelection {
  /** Instance name (may be one that is not configured). */
  instance: string;
  /** DAG ids named explicitly (`airflow.apache.org/dag-ids`). */
  dagIds: string[];
  /** Tags selecting DAGs (`airflow.apache.org/dag-tags`, on the default instance). */
  tags: string[];
}

/**
 * Groups an entity's Airflow annotations by instance: DAG ids go to their
 * prefixed instance, else the entity's `airflow.apache.org/instance`, else
 * `defaultInstance`; tags go to the entity's default instance.
 *
 * @throws InputError when an annotation is malformed, naming the entity.
 */
export function selectEntityDags(
  entity: Entity,
  defaultInstance: string,
): EntityDagSelection[] {
  let parsed;
  try {
    parsed = parseAirflowAnnotations(entity);
  } catch (error) {
    if (error instanceof AirflowAnnotationError) {
      throw new InputError(
        `${stringifyEntityRef(entity)} has an invalid annotation: ${
          error.message
        }`,
      );
    }
    throw error;
  }
  const entityDefault = parsed.instance ?? defaultInstance;
  const byInstance = new Map<string, EntityDagSelection>();
  const get = (instance: string) => {
    let selection = byInstance.get(instance);
    if (!selection) {
      selection = { instance, dagIds: [], tags: [] };
      byInstance.set(instance, selection);
    }
    return selection;
  };
  for (const ref of parsed.dagRefs) {
    get(ref.instance ?? entityDefault).dagIds.push(ref.dagId);
  }
  if (parsed.tags.length > 0) {
    get(entityDefault).tags.push(...parsed.tags);
  }
  return [...byInstance.values()];
}
