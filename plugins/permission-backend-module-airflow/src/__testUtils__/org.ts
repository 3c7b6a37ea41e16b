import type { Entity } from '@backstage/catalog-model';

/**
 * A small org as the catalog stitches it (relations included):
 *
 *   data-platform
 *   ├── data-engineering ── ingestion
 *   └── analytics
 *   loop-a ⇄ loop-b (a cycle, which must not hang the expansion)
 */
function group(name: string, parent?: string, children: string[] = []): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children, ...(parent ? { parent } : {}) },
    relations: [
      ...(parent
        ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
        : []),
      ...children.map(child => ({
        type: 'parentOf',
        targetRef: `group:default/${child}`,
      })),
    ],
  };
}

function component(name: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'pipeline',
      lifecycle: 'production',
      owner: `group:default/${owner}`,
    },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
}

export const ordersPipeline = component('orders-pipeline', 'data-engineering');
export const rawIngest = component('raw-ingest', 'ingestion');
export const salesReport = component('sales-report', 'analytics');

export const orgEntities: Entity[] = [
  group('data-platform', undefined, ['data-engineering', 'analytics']),
  group('data-engineering', 'data-platform', ['ingestion']),
  group('ingestion', 'data-engineering'),
  group('analytics', 'data-platform'),
  { ...group('loop-a', 'loop-b', ['loop-b']) },
  { ...group('loop-b', 'loop-a', ['loop-a']) },
  ordersPipeline,
  rawIngest,
  salesReport,
];

/** Ownership entity refs per user, as the user info service returns them. */
export const memberships: Record<string, string[]> = {
  'user:default/dana': ['user:default/dana', 'group:default/data-platform'],
  'user:default/alice': [
    'user:default/alice',
    'group:default/data-engineering',
  ],
  'user:default/guest': ['user:default/guest', 'group:default/analytics'],
  'user:default/lou': ['user:default/lou', 'group:default/loop-a'],
  'user:default/carol': ['user:default/carol', 'group:default/platform-admins'],
};
