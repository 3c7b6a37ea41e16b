import { airflowApiRef } from './api';
import { airflowPlugin } from './plugin';
import { ownershipRouteRef, rootRouteRef } from './routes';

describe('airflowPlugin (legacy frontend system)', () => {
  it('has the plugin id "airflow" and provides the Airflow API', () => {
    expect(airflowPlugin.getId()).toBe('airflow');
    const apis = [...airflowPlugin.getApis()];
    expect(apis.map(api => api.api.id)).toEqual([airflowApiRef.id]);
  });

  it('exposes the entity tab and the ownership page route refs', () => {
    expect(airflowPlugin.routes).toEqual({
      root: rootRouteRef,
      ownership: ownershipRouteRef,
    });
  });
});
