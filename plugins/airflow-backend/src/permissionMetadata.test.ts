import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { airflowPermissions } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import request from 'supertest';
import airflowPlugin from '.';

/*
 * RBAC admin UIs (and the permission backend's tooling) discover a plugin's
 * permissions from its permission metadata endpoint. The plugin registers its
 * permissions with the permissions registry, which serves them there.
 */
// Starting a test backend is slow on a shared machine.
jest.setTimeout(60_000);

describe('the permission metadata of the Airflow backend plugin', () => {
  it('lists every Airflow permission at /.well-known/backstage/permissions/metadata', async () => {
    const { server } = await startTestBackend({
      features: [
        airflowPlugin,
        mockServices.rootConfig.factory({
          data: {
            airflow: {
              // never contacted by this test
              baseUrl: 'http://127.0.0.1:9',
              auth: { username: 'admin', password: 'admin' },
            },
          },
        }),
        catalogServiceMock.factory({ entities: [] }),
      ],
    });

    const res = await request(server)
      .get('/api/airflow/.well-known/backstage/permissions/metadata')
      .set('authorization', mockCredentials.service.header());

    expect(res.status).toBe(200);
    const names = res.body.permissions.map((p: any) => p.name).sort();
    expect(names).toEqual([
      'airflow.dag.clear',
      'airflow.dag.logs.read',
      'airflow.dag.pause',
      'airflow.dag.read',
      'airflow.dag.state.update',
      'airflow.dag.trigger',
      'airflow.ownership.read',
    ]);
    for (const permission of airflowPermissions) {
      expect(res.body.permissions).toContainEqual(
        JSON.parse(JSON.stringify(permission)),
      );
    }
    // The DAG permissions are decided with the catalog's rules
    // (resource type catalog-entity); the plugin defines no rules of its own.
    expect(res.body.rules).toEqual([]);
  });
});
