import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import type { Entity } from '@backstage/catalog-model';
import {
  airflowDagPausePermission,
  airflowDagReadPermission,
  airflowDagTriggerPermission,
  airflowOwnershipReadPermission,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import permissionPlugin from '@backstage/plugin-permission-backend';
import request from 'supertest';
import permissionModuleAirflow from '.';
import {
  memberships,
  ordersPipeline,
  orgEntities,
  rawIngest,
  salesReport,
} from './__testUtils__/org';

const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: memberships[ref] ?? [ref],
      };
    },
  }),
});

const isAllowedOn = createConditionAuthorizer(
  Object.values(permissionRules) as any,
);

/** Starts the permission backend with this module and the given `permission.airflow`. */
async function startBackend(airflow: object = {}) {
  const { server } = await startTestBackend({
    features: [
      permissionPlugin,
      permissionModuleAirflow,
      catalogServiceMock.factory({ entities: orgEntities }),
      userInfoFactory,
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true, airflow } },
      }),
    ],
  });
  /**
   * Asks the permission backend as a plugin does on behalf of a user (a user
   * token with an actor), and evaluates a conditional answer on the entity
   * with the catalog's rules, as the catalog would.
   */
  return async (user: string, permission: any, entity?: Entity) => {
    const res = await request(server)
      .post('/api/permission/authorize')
      .set(
        'authorization',
        `Bearer ${mockCredentials.user.token(user, {
          actor: { subject: 'plugin:airflow' },
        })}`,
      )
      .send({ items: [{ id: '1', permission }] });
    expect(res.status).toBe(200);
    const decision = res.body.items[0];
    if (decision.result === 'CONDITIONAL') {
      if (!entity) return 'CONDITIONAL';
      return isAllowedOn(decision, entity) ? 'ALLOW' : 'DENY';
    }
    return decision.result;
  };
}

describe('permissionModuleAirflow', () => {
  it('installs the owner policy: everyone reads, owners write, admins do everything', async () => {
    const decide = await startBackend({
      adminGroups: ['group:default/platform-admins'],
    });
    expect(await decide('user:default/guest', airflowDagReadPermission)).toBe(
      'ALLOW',
    );
    expect(
      await decide('user:default/guest', airflowOwnershipReadPermission),
    ).toBe('ALLOW');
    expect(
      await decide(
        'user:default/alice',
        airflowDagTriggerPermission,
        ordersPipeline,
      ),
    ).toBe('ALLOW');
    expect(
      await decide(
        'user:default/guest',
        airflowDagTriggerPermission,
        ordersPipeline,
      ),
    ).toBe('DENY');
    expect(
      await decide(
        'user:default/guest',
        airflowDagPausePermission,
        salesReport,
      ),
    ).toBe('ALLOW');
    expect(
      await decide('user:default/carol', airflowDagTriggerPermission),
    ).toBe('ALLOW');
  });

  it("keeps ownership direct by default: a parent group may not act on its child groups' entities", async () => {
    const decide = await startBackend();
    expect(
      await decide(
        'user:default/dana',
        airflowDagTriggerPermission,
        ordersPipeline,
      ),
    ).toBe('DENY');
    expect(
      await decide(
        'user:default/alice',
        airflowDagTriggerPermission,
        rawIngest,
      ),
    ).toBe('DENY');
  });

  it('with transitiveOwnership, lets members of a parent group act on the entities of the groups below it', async () => {
    const decide = await startBackend({
      transitiveOwnership: { enabled: true },
    });
    expect(
      await decide(
        'user:default/dana',
        airflowDagTriggerPermission,
        ordersPipeline,
      ),
    ).toBe('ALLOW');
    expect(
      await decide('user:default/dana', airflowDagTriggerPermission, rawIngest),
    ).toBe('ALLOW');
    expect(
      await decide(
        'user:default/dana',
        airflowDagTriggerPermission,
        salesReport,
      ),
    ).toBe('ALLOW');
    expect(
      await decide(
        'user:default/alice',
        airflowDagTriggerPermission,
        rawIngest,
      ),
    ).toBe('ALLOW');
    // not upwards, not sideways
    expect(
      await decide(
        'user:default/alice',
        airflowDagTriggerPermission,
        salesReport,
      ),
    ).toBe('DENY');
    expect(
      await decide(
        'user:default/guest',
        airflowDagTriggerPermission,
        ordersPipeline,
      ),
    ).toBe('DENY');
  });

  it('limits transitive ownership to maxDepth levels', async () => {
    const decide = await startBackend({
      transitiveOwnership: { enabled: true, maxDepth: 1 },
    });
    expect(
      await decide(
        'user:default/dana',
        airflowDagTriggerPermission,
        ordersPipeline,
      ),
    ).toBe('ALLOW');
    expect(
      await decide('user:default/dana', airflowDagTriggerPermission, rawIngest),
    ).toBe('DENY');
  });

  it('applies readRequiresOwnership and writePermissions from config', async () => {
    const decide = await startBackend({
      readRequiresOwnership: true,
      writePermissions: ['airflow.dag.trigger', 'airflow.ownership.read'],
    });
    expect(
      await decide(
        'user:default/guest',
        airflowDagReadPermission,
        ordersPipeline,
      ),
    ).toBe('DENY');
    expect(
      await decide(
        'user:default/alice',
        airflowDagReadPermission,
        ordersPipeline,
      ),
    ).toBe('ALLOW');
    expect(
      await decide(
        'user:default/guest',
        airflowDagPausePermission,
        ordersPipeline,
      ),
    ).toBe('ALLOW');
    expect(
      await decide('user:default/guest', airflowOwnershipReadPermission),
    ).toBe('DENY');
  });

  it('refuses to start with an invalid config, naming the key', async () => {
    await expect(
      startBackend({ writePermissions: ['airflow.dag.nuke'] }),
    ).rejects.toThrow('permission.airflow.writePermissions[0]');
  });
});
