import type { AuthService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { stringifyEntityRef } from '@backstage/catalog-model';

/**
 * Expands a user's ownership claims with the groups below the user's groups:
 * the children of each group (groups with a `childOf` relation to it), their
 * children, and so on, at most `maxDepth` levels down. With these extra
 * claims the catalog's own `isEntityOwner` rule lets a parent group's members
 * act on the entities of its child groups.
 */
export class TransitiveOwnership {
  private readonly cache = new Map<
    string,
    { expires: number; claims: Promise<string[]> }
  >();

  constructor(
    private readonly options: {
      catalog: Pick<CatalogService, 'getEntities'>;
      auth: Pick<AuthService, 'getOwnServiceCredentials'>;
      maxDepth: number;
      /** How long an expansion is reused, in milliseconds. Default 30 s. */
      cacheTtlMs?: number;
      now?: () => number;
    },
  ) {}

  /** The claims plus every group below a group among them. */
  expand(claims: string[]): Promise<string[]> {
    const key = [...claims].sort().join('\n');
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) {
      return hit.claims;
    }
    const result = this.load(claims);
    this.cache.set(key, {
      expires: now + (this.options.cacheTtlMs ?? 30_000),
      claims: result,
    });
    // A failed lookup is not kept.
    result.catch(() => this.cache.delete(key));
    if (this.cache.size > 1000) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return result;
  }

  private async load(claims: string[]): Promise<string[]> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const seen = new Set(claims.map(ref => ref.toLocaleLowerCase('en-US')));
    const all = [...claims];
    let frontier = claims.filter(ref =>
      ref.toLocaleLowerCase('en-US').startsWith('group:'),
    );
    for (
      let depth = 0;
      depth < this.options.maxDepth && frontier.length;
      depth++
    ) {
      const { items } = await this.options.catalog.getEntities(
        {
          filter: { kind: 'group', 'relations.childOf': frontier },
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials },
      );
      const next: string[] = [];
      for (const entity of items) {
        const ref = stringifyEntityRef(entity);
        const key = ref.toLocaleLowerCase('en-US');
        if (!seen.has(key)) {
          seen.add(key);
          all.push(ref);
          next.push(ref);
        }
      }
      frontier = next;
    }
    return all;
  }
}
