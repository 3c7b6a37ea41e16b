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
import { AirflowOwnerPermissionPolicy } from './policy';

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

function policy(
  options: Partial<
    ConstructorParameters<typeof AirflowOwnerPermissionPolicy>[0]
  > = {},
) {
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
    ...options,
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

  it('has no admin groups unless configured', async () => {
    const decision = await policy({ adminGroupRefs: undefined }).handle(
      { permission: airflowDagTriggerPermission } as any,
      userOf('user:default/carol'),
    );
    expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
    expect(isAllowedOn(decision, ordersPipeline)).toBe(false);
  });

  it('makes reading DAGs conditional on ownership with readRequiresOwnership', async () => {
    const strict = policy({ readRequiresOwnership: true });
    const owner = await strict.handle(
      { permission: airflowDagReadPermission } as any,
      userOf('user:default/alice'),
    );
    expect(owner.result).toBe(AuthorizeResult.CONDITIONAL);
    expect(isAllowedOn(owner, ordersPipeline)).toBe(true);
    const other = await strict.handle(
      { permission: airflowDagReadPermission } as any,
      userOf('user:default/guest'),
    );
    expect(isAllowedOn(other, ordersPipeline)).toBe(false);
    const admin = await strict.handle(
      { permission: airflowDagReadPermission } as any,
      userOf('user:default/carol'),
    );
    expect(admin).toEqual({ result: AuthorizeResult.ALLOW });
    // the ownership view is a basic permission and stays open
    const view = await strict.handle(
      { permission: airflowOwnershipReadPermission } as any,
      userOf('user:default/guest'),
    );
    expect(view).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('restricts exactly the configured writePermissions', async () => {
    const onlyTrigger = policy({
      writePermissions: [
        airflowDagTriggerPermission.name,
        airflowOwnershipReadPermission.name,
      ],
    });
    const ask = (permission: any, ref: string) =>
      onlyTrigger.handle({ permission } as any, userOf(ref));

    expect(await ask(airflowDagPausePermission, 'user:default/guest')).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    const trigger = await ask(
      airflowDagTriggerPermission,
      'user:default/guest',
    );
    expect(isAllowedOn(trigger, ordersPipeline)).toBe(false);
    // a restricted basic permission: admins only
    expect(
      await ask(airflowOwnershipReadPermission, 'user:default/guest'),
    ).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(
      await ask(airflowOwnershipReadPermission, 'user:default/carol'),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('passes permissions that are not Airflow permissions to the fallback policy', async () => {
    const fallback = {
      handle: jest.fn(async () => ({
        result: AuthorizeResult.DENY as AuthorizeResult.DENY,
      })),
    };
    const withFallback = policy({ fallback });
    const other = {
      name: 'catalog.entity.delete',
      type: 'basic',
      attributes: {},
    };
    expect(
      await withFallback.handle(
        { permission: other } as any,
        userOf('user:default/alice'),
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(fallback.handle).toHaveBeenCalledTimes(1);
    // Airflow permissions never reach the fallback
    await withFallback.handle(
      { permission: airflowDagReadPermission } as any,
      userOf('user:default/alice'),
    );
    expect(fallback.handle).toHaveBeenCalledTimes(1);
    // without a fallback, other permissions are allowed
    expect(
      await policy().handle(
        { permission: other } as any,
        userOf('user:default/alice'),
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
