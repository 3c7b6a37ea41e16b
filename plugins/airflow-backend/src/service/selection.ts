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

/** The least a DAG needs for matching: its id and tags. */
export interface MatchableDag {
  dagId: string;
  tags: string[];
}

/** What a selection matches among the DAGs of its instance. */
export interface DagMatch<D extends MatchableDag> {
  /** DAGs named by id, in annotation order. */
  byId: D[];
  /** Annotated DAG ids the instance does not have. */
  missing: string[];
  /** DAGs carrying one of the selected tags and not named by id, sorted by id. */
  byTag: D[];
}

/**
 * The DAGs of one instance, indexed by id and by tag, so that matching a
 * selection costs its matches, not the size of the instance. The one place
 * that decides which DAGs an entity names.
 */
export class DagIndex<D extends MatchableDag> {
  readonly #byId = new Map<string, D>();
  readonly #byTag = new Map<string, D[]>();

  constructor(dags: Iterable<D>) {
    for (const dag of dags) {
      this.#byId.set(dag.dagId, dag);
      for (const tag of dag.tags) {
        const list = this.#byTag.get(tag);
        if (list) list.push(dag);
        else this.#byTag.set(tag, [dag]);
      }
    }
  }

  /** The DAG with this id, if the instance has it. */
  get(dagId: string): D | undefined {
    return this.#byId.get(dagId);
  }

  /** What `selection` names: DAGs by id (and the missing ids), then DAGs by tag. */
  match(selection: Pick<EntityDagSelection, 'dagIds' | 'tags'>): DagMatch<D> {
    const byId: D[] = [];
    const missing: string[] = [];
    const named = new Set<string>();
    for (const dagId of selection.dagIds) {
      const dag = this.#byId.get(dagId);
      if (dag) {
        byId.push(dag);
        named.add(dagId);
      } else {
        missing.push(dagId);
      }
    }
    const tagged = new Map<string, D>();
    for (const tag of selection.tags) {
      for (const dag of this.#byTag.get(tag) ?? []) {
        if (!named.has(dag.dagId)) tagged.set(dag.dagId, dag);
      }
    }
    const byTag = [...tagged.values()].sort((a, b) =>
      a.dagId.localeCompare(b.dagId),
    );
    return { byId, missing, byTag };
  }
}

/** Whether `selection` names the DAG `dagId` (by id, or by one of `tags` when the DAG's tags are known). */
export function selectionNamesDag(
  selection: Pick<EntityDagSelection, 'dagIds' | 'tags'>,
  dagId: string,
  dagTags: readonly string[] = [],
): boolean {
  return (
    selection.dagIds.includes(dagId) ||
    dagTags.some(tag => selection.tags.includes(tag))
  );
}
