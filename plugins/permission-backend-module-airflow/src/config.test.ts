import { ConfigReader } from '@backstage/config';
import { readAirflowPolicyConfig } from './config';

const read = (airflow: object) =>
  readAirflowPolicyConfig(new ConfigReader({ permission: { airflow } }));

describe('readAirflowPolicyConfig', () => {
  it('has safe defaults: no admins, trigger/pause/clear/state changes and logs are restricted, reads open, no transitive ownership', () => {
    expect(readAirflowPolicyConfig(new ConfigReader({}))).toEqual({
      adminGroupRefs: [],
      readRequiresOwnership: false,
      writePermissions: [
        'airflow.dag.trigger',
        'airflow.dag.pause',
        'airflow.dag.clear',
        'airflow.dag.state.update',
        'airflow.dag.logs.read',
      ],
      transitiveOwnership: { enabled: false, maxDepth: 10 },
    });
  });

  it('reads every key and completes short group refs', () => {
    expect(
      read({
        adminGroups: ['platform-admins', 'group:ops/sre', 'user:default/root'],
        readRequiresOwnership: true,
        writePermissions: ['airflow.dag.trigger'],
        transitiveOwnership: { enabled: true, maxDepth: 3 },
      }),
    ).toEqual({
      adminGroupRefs: [
        'group:default/platform-admins',
        'group:ops/sre',
        'user:default/root',
      ],
      readRequiresOwnership: true,
      writePermissions: ['airflow.dag.trigger'],
      transitiveOwnership: { enabled: true, maxDepth: 3 },
    });
  });

  it('names the key of an invalid value', () => {
    expect(() => read({ writePermissions: ['airflow.dag.delete'] })).toThrow(
      'Invalid Airflow policy config: permission.airflow.writePermissions[0]: unknown permission "airflow.dag.delete"',
    );
    expect(() => read({ transitiveOwnership: { maxDepth: 0 } })).toThrow(
      'permission.airflow.transitiveOwnership.maxDepth: must be an integer from 1 to 50',
    );
    expect(() => read({ adminGroups: ['group:'] })).toThrow(
      'permission.airflow.adminGroups[0]: not an entity ref',
    );
  });
});
