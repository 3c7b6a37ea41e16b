import { airflowApiRef } from './api';
import { airflowPlugin } from './plugin';

describe('airflowPlugin (legacy frontend system)', () => {
  it('has the plugin id "airflow" and provides the Airflow API', () => {
    expect(airflowPlugin.getId()).toBe('airflow');
    const apis = [...airflowPlugin.getApis()];
    expect(apis.map(api => api.api.id)).toEqual([airflowApiRef.id]);
  });
});
