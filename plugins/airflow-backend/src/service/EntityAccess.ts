import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  type CompoundEntityRef,
  type Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { LRUCache } from 'lru-cache';
import {
  AuthorizeResult,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { AirflowDag } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AirflowClient } from '../lib/airflow';
import {
  type EntityDagSelection,
  selectEntityDags,
  selectionNamesDag,
} from './selection';

/** What a permission allows, as the end of "You are not allowed to …". */
const ACTIONS: Record<string, string> = {
  'airflow.dag.logs.read': 'read the task logs of DAGs of',
  'airflow.dag.state.update':
    'change the state of DAG runs and task instances of DAGs of',
};

/** The message of a denial: what was denied, on which entity, and the permission's name. */
export function deniedMessage(
  permission: { name: string },
  resourceRef: string,
): string {
  const action =
    ACTIONS[permission.name] ??
    `${permission.name.replace(/^airflow\.dag\./, '')} DAGs of`;
  return `You are not allowed to ${action} ${resourceRef} (permission ${permission.name})`;
}

/** An entity the caller may act on, with what its annotations select. */
export interface AccessibleEntity {
  entity: Entity;
  /** `kind:namespace/name`. */
  entityRef: string;
  /** The entity's DAG selections, one per instance. */
  selections: EntityDagSelection[];
}

/**
 * How long an entity read from the catalog on behalf of a user is reused for
 * that same user (this replica only), in milliseconds. The permission
 * decision is never reused: it is asked on every request.
 */
export const ENTITY_REUSE_MS = 5_000;

/**
 * For how long, in milliseconds, after a user was allowed a read on an
 * entity, that user's next read of it starts its Airflow calls while the
 * permission decision is still being asked (see
 * {@link EntityAccess.authorizeEntityRead}). A denial ends it at once.
 */
export const SPECULATIVE_READ_MS = 60_000;

/**
 * The key under which what a user may read of `thing` (an entity ref, a
 * generation of the ownership index) is reused for {@link ENTITY_REUSE_MS},
 * or undefined for callers whose reads are not reused (anything but a user).
 */
export function userReuseKey(
  credentials: BackstageCredentials,
  thing: string,
): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
  };
  return principal.type === 'user' && principal.userEntityRef
    ? `${principal.userEntityRef}\u0000${thing}`
    : undefined;
}

/**
 * The one place that answers "this entity, this caller, this DAG": the
 * entity is loaded from the catalog on behalf of the caller (catalog read
 * rules apply; a user's view is reused for {@link ENTITY_REUSE_MS}), the
 * permission is checked with the entity as resource on every request, and a
 * DAG is reachable only when the entity names it.
 */
export class EntityAccess {
  readonly #catalog: CatalogService;
  readonly #permissions: PermissionsService;
  readonly #clients: Map<string, AirflowClient>;
  readonly #defaultInstance: string;
  readonly #views = new LRUCache<string, Entity>({
    max: 10_000,
    ttl: ENTITY_REUSE_MS,
  });
  /** Users allowed a read on an entity lately: their next read of it may start early. */
  readonly #allowedLately = new LRUCache<string, true>({
    max: 10_000,
    ttl: SPECULATIVE_READ_MS,
  });

  constructor(options: {
    catalog: CatalogService;
    permissions: PermissionsService;
    clients: AirflowClient[];
  }) {
    this.#catalog = options.catalog;
    this.#permissions = options.permissions;
    this.#clients = new Map(options.clients.map(c => [c.config.name, c]));
    this.#defaultInstance = options.clients[0].config.name;
  }

  /** The entity as the caller may read it, reused briefly per user. */
  async #entity(
    entityRef: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<Entity | undefined> {
    const key = userReuseKey(credentials, stringifyEntityRef(entityRef));
    const reused = key ? this.#views.get(key) : undefined;
    if (reused) return reused;
    const entity = await this.#catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (entity && key) this.#views.set(key, entity);
    return entity;
  }

  /** The configured instance names, in config order. */
  get instanceNames(): string[] {
    return [...this.#clients.keys()];
  }

  /** The client of a configured instance, or undefined. */
  client(instance: string): AirflowClient | undefined {
    return this.#clients.get(instance);
  }

  /** The entity's DAG selections by instance (the first configured instance is the default). */
  selectionsOf(entity: Entity): EntityDagSelection[] {
    return selectEntityDags(entity, this.#defaultInstance);
  }

  /**
   * Loads the entity on behalf of the caller and checks `permission` on it
   * (both at once; nothing reaches Airflow before both answered).
   *
   * @throws NotFoundError when the entity does not exist or the caller may not read it.
   * @throws NotAllowedError when the policy denies, naming the permission.
   * @throws InputError when the entity's Airflow annotations are malformed.
   */
  async authorizeEntity(
    entityRef: CompoundEntityRef,
    credentials: BackstageCredentials,
    permission: ResourcePermission<'catalog-entity'>,
  ): Promise<AccessibleEntity> {
    const ref = stringifyEntityRef(entityRef);
    // The decision needs only the ref: ask for it while the entity loads.
    const [entity, [decision]] = await Promise.all([
      this.#entity(entityRef, credentials),
      this.#permissions.authorize([{ permission, resourceRef: ref }], {
        credentials,
      }),
    ]);
    return this.#allowed(ref, entity, decision, permission);
  }

  /**
   * Like {@link EntityAccess.authorizeEntity}, then `read(access)`, with one
   * difference in timing: when the same user was allowed `permission` on
   * this entity within {@link SPECULATIVE_READ_MS}, `read` starts as soon as
   * the entity is known, while the decision is still being asked, so the
   * Airflow calls overlap the decision instead of following it. Nothing of
   * what `read` returns (or throws) reaches the caller before the decision
   * allowed it; a denial throws {@link NotAllowedError}, discards the early
   * read, and stops early reads for that user and entity. `read` must only
   * read (it may fill the shared cache, which is not per user).
   *
   * @throws NotFoundError when the entity does not exist or the caller may not read it.
   * @throws NotAllowedError when the policy denies, naming the permission.
   * @throws InputError when the entity's Airflow annotations are malformed.
   */
  async authorizeEntityRead<T>(
    entityRef: CompoundEntityRef,
    credentials: BackstageCredentials,
    permission: ResourcePermission<'catalog-entity'>,
    read: (access: AccessibleEntity) => Promise<T>,
  ): Promise<{ access: AccessibleEntity; value: T }> {
    const ref = stringifyEntityRef(entityRef);
    const lately = userReuseKey(credentials, `${permission.name}\u0000${ref}`);
    const decided = this.#permissions
      .authorize([{ permission, resourceRef: ref }], { credentials })
      .then(([decision]) => decision);
    let entity: Entity | undefined;
    try {
      entity = await this.#entity(entityRef, credentials);
    } catch (error) {
      decided.catch(() => undefined);
      throw error;
    }
    let early: Promise<T> | undefined;
    if (entity && lately && this.#allowedLately.has(lately)) {
      try {
        early = read(this.#accessible(entity));
        early.catch(() => undefined);
      } catch {
        // Malformed annotations: reported below, after the decision.
      }
    }
    const decision = await decided;
    if (lately && decision.result !== AuthorizeResult.ALLOW) {
      this.#allowedLately.delete(lately);
    }
    const access = this.#allowed(ref, entity, decision, permission);
    if (lately) this.#allowedLately.set(lately, true);
    return { access, value: await (early ?? read(access)) };
  }

  /** The entity as accessible, or the 404 (no entity) or 403 (denied) the request gets, in that order. */
  #allowed(
    ref: string,
    entity: Entity | undefined,
    decision: { result: AuthorizeResult },
    permission: ResourcePermission<'catalog-entity'>,
  ): AccessibleEntity {
    if (!entity) {
      throw new NotFoundError(`Entity ${ref} not found`);
    }
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        deniedMessage(permission, stringifyEntityRef(entity)),
      );
    }
    return this.#accessible(entity);
  }

  #accessible(entity: Entity): AccessibleEntity {
    return {
      entity,
      entityRef: stringifyEntityRef(entity),
      selections: this.selectionsOf(entity),
    };
  }

  /** Whether the policy grants `permission` on the entity `resourceRef` (no error when it does not). */
  async allows(
    resourceRef: string,
    credentials: BackstageCredentials,
    permission: ResourcePermission<'catalog-entity'>,
  ): Promise<boolean> {
    const [decision] = await this.#permissions.authorize(
      [{ permission, resourceRef }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  /**
   * Loads the entity, checks `permission`, and proves that the entity names
   * the DAG: by id, or by tag on the entity's default instance (then the DAG
   * is read through `dagOf`, usually from the cache, for its tags).
   *
   * @throws NotFoundError for an unknown instance or a DAG the entity does not name.
   */
  async authorizeDag(
    options: {
      entityRef: CompoundEntityRef;
      credentials: BackstageCredentials;
      instance: string;
      dagId: string;
    },
    permission: ResourcePermission<'catalog-entity'>,
    dagOf: (
      client: AirflowClient,
      dagId: string,
    ) => Promise<AirflowDag | undefined>,
  ): Promise<AccessibleEntity & { client: AirflowClient }> {
    const access = await this.authorizeEntity(
      options.entityRef,
      options.credentials,
      permission,
    );
    const notNamed = () =>
      new NotFoundError(
        `DAG '${options.dagId}' on instance '${options.instance}' is not named by ${access.entityRef}`,
      );
    const selection = access.selections.find(
      s => s.instance === options.instance,
    );
    if (!selection) throw notNamed();
    const client = this.#clients.get(options.instance);
    if (!client) {
      throw new NotFoundError(`Unknown Airflow instance '${options.instance}'`);
    }
    if (selectionNamesDag(selection, options.dagId)) {
      return { ...access, client };
    }
    if (selection.tags.length > 0) {
      const dag = await dagOf(client, options.dagId);
      if (dag && selectionNamesDag(selection, dag.dagId, dag.tags)) {
        return { ...access, client };
      }
    }
    throw notNamed();
  }
}
