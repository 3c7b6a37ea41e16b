import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  airflowDagClearPermission,
  airflowDagLogsReadPermission,
  airflowDagPausePermission,
  airflowDagStateUpdatePermission,
  airflowDagReadPermission,
  airflowDagTriggerPermission,
  airflowOwnershipReadPermission,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { AirflowOwnerPermissionPolicy } from './permissionPolicy';

const ordersPipeline: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-pipeline', namespace: 'default' },
  spec: { type: 'pipeline', owner: 'group:default/data-engineering' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/data-engineering' }],
};

const memberships: Record<string, string[]> = {
  'user:default/alice': [
    'user:default/alice',
    'group:default/data-engineering',
  ],
  'user:default/guest': ['user:default/guest', 'group:default/analytics'],
  'user:default/carol': ['user:default/carol', 'group:default/platform-admins'],
};

function policy() {
  const userInfo = {
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: memberships[ref] ?? [ref],
      };
    },
  };
  return new AirflowOwnerPermissionPolicy({
    userInfo,
    adminGroupRefs: ['group:default/platform-admins'],
  });
}

const userOf = (ref: string) => ({
  credentials: mockCredentials.user(ref),
  info: { userEntityRef: ref, ownershipEntityRefs: memberships[ref] ?? [ref] },
});

/** Evaluates a decision against the entity with the catalog's real rules. */
const isAllowedOn = createConditionAuthorizer(
  Object.values(permissionRules) as any,
);

describe('AirflowOwnerPermissionPolicy', () => {
  it.each([airflowDagReadPermission, airflowOwnershipReadPermission])(
    'allows everyone $name',
    async permission => {
      const decision = await policy().handle(
        { permission } as any,
        userOf('user:default/guest'),
      );
      expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
    },
  );

  it.each([
    airflowDagTriggerPermission,
    airflowDagPausePermission,
    airflowDagClearPermission,
    airflowDagStateUpdatePermission,
    airflowDagLogsReadPermission,
  ])(
    'makes $name conditional on catalog ownership, which allows the owner and denies others',
    async permission => {
      const owner = await policy().handle(
        { permission } as any,
        userOf('user:default/alice'),
      );
      expect(owner).toMatchObject({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          params: { claims: memberships['user:default/alice'] },
        },
      });
      expect(isAllowedOn(owner, ordersPipeline)).toBe(true);

      const other = await policy().handle(
        { permission } as any,
        userOf('user:default/guest'),
      );
      expect(other.result).toBe(AuthorizeResult.CONDITIONAL);
      expect(isAllowedOn(other, ordersPipeline)).toBe(false);
    },
  );

  it.each([
    airflowDagTriggerPermission,
    airflowDagStateUpdatePermission,
    airflowDagLogsReadPermission,
  ])(
    'allows members of an admin group $name unconditionally',
    async permission => {
      const decision = await policy().handle(
        { permission } as any,
        userOf('user:default/carol'),
      );
      expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
    },
  );

  it('denies Airflow writes to callers that are not users', async () => {
    const decision = await policy().handle(
      { permission: airflowDagTriggerPermission } as any,
      { credentials: mockCredentials.service(), info: undefined } as any,
    );
    expect(decision).toEqual({ result: AuthorizeResult.DENY });
    const anonymous = await policy().handle({
      permission: airflowDagPausePermission,
    } as any);
    expect(anonymous).toEqual({ result: AuthorizeResult.DENY });
  });
});
