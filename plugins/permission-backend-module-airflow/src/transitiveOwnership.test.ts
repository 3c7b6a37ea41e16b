import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TransitiveOwnership } from './transitiveOwnership';
import { orgEntities } from './__testUtils__/org';

function expander(maxDepth = 10) {
  const catalog = catalogServiceMock({ entities: orgEntities });
  const getEntities = jest.spyOn(catalog, 'getEntities');
  const transitive = new TransitiveOwnership({
    catalog,
    auth: mockServices.auth(),
    maxDepth,
  });
  return { transitive, getEntities };
}

describe('TransitiveOwnership', () => {
  it('adds every group below the claimed groups', async () => {
    const { transitive } = expander();
    const claims = await transitive.expand([
      'user:default/dana',
      'group:default/data-platform',
    ]);
    expect([...claims].sort()).toEqual([
      'group:default/analytics',
      'group:default/data-engineering',
      'group:default/data-platform',
      'group:default/ingestion',
      'user:default/dana',
    ]);
  });

  it('goes no further than maxDepth levels', async () => {
    const { transitive, getEntities } = expander(1);
    const claims = await transitive.expand(['group:default/data-platform']);
    expect([...claims].sort()).toEqual([
      'group:default/analytics',
      'group:default/data-engineering',
      'group:default/data-platform',
    ]);
    expect(getEntities).toHaveBeenCalledTimes(1);
  });

  it('adds nothing for a group without children and stops on cycles', async () => {
    const { transitive } = expander();
    expect(await transitive.expand(['group:default/analytics'])).toEqual([
      'group:default/analytics',
    ]);
    const loop = await transitive.expand(['group:default/loop-a']);
    expect([...loop].sort()).toEqual([
      'group:default/loop-a',
      'group:default/loop-b',
    ]);
  });

  it('reuses an expansion for the same claims instead of asking the catalog again', async () => {
    const { transitive, getEntities } = expander();
    await transitive.expand([
      'group:default/data-engineering',
      'user:default/alice',
    ]);
    const calls = getEntities.mock.calls.length;
    await transitive.expand([
      'user:default/alice',
      'group:default/data-engineering',
    ]);
    expect(getEntities.mock.calls.length).toBe(calls);
  });
});
