import { ConfigReader } from '@backstage/config';
import { readAirflowConfig } from './config';

const read = (airflow: unknown) =>
  readAirflowConfig(new ConfigReader({ airflow } as any));

describe('readAirflowConfig', () => {
  it('reads a list of instances with defaults', () => {
    const config = read({
      instances: [
        {
          name: 'prod',
          baseUrl: 'https://airflow.example.com/sub/',
          auth: { username: 'u', password: 'p' },
        },
        {
          name: 'legacy',
          baseUrl: 'http://127.0.0.1:8081',
          apiVersion: 'v1',
          auth: { token: 't' },
          timeoutSeconds: 2.5,
        },
      ],
    });
    expect(config).toEqual({
      cacheTtlMs: 30_000,
      recentRunsLimit: 5,
      ownershipRefreshMinutes: 10,
      instances: [
        {
          name: 'prod',
          baseUrl: 'https://airflow.example.com/sub',
          webUiUrl: 'https://airflow.example.com/sub',
          apiVersion: 'auto',
          auth: { type: 'password', username: 'u', password: 'p' },
          timeoutMs: 10_000,
        },
        {
          name: 'legacy',
          baseUrl: 'http://127.0.0.1:8081',
          webUiUrl: 'http://127.0.0.1:8081',
          apiVersion: 'v1',
          auth: { type: 'token', token: 't' },
          timeoutMs: 2500,
        },
      ],
    });
  });

  it('accepts a single instance written without the list and names it default', () => {
    const config = read({
      baseUrl: 'http://127.0.0.1:8080',
      webUiUrl: 'http://localhost:8080',
      cache: { ttlSeconds: 0 },
    });
    expect(config.instances).toEqual([
      expect.objectContaining({
        name: 'default',
        webUiUrl: 'http://localhost:8080',
        auth: { type: 'none' },
      }),
    ]);
    expect(config.cacheTtlMs).toBe(0);
  });

  it.each([
    [undefined, 'airflow: missing'],
    [{}, 'airflow.instances: missing'],
    [{ instances: [] }, 'airflow.instances'],
    [
      { instances: [{ name: 'a', baseUrl: 'not a url' }] },
      'airflow.instances[0].baseUrl',
    ],
    [
      { instances: [{ name: 'a', baseUrl: 'ftp://x' }] },
      'airflow.instances[0].baseUrl',
    ],
    [
      { instances: [{ name: 'bad name', baseUrl: 'http://x' }] },
      'airflow.instances[0].name',
    ],
    [
      { instances: [{ name: 'a', baseUrl: 'http://x', apiVersion: 'v3' }] },
      'airflow.instances[0].apiVersion',
    ],
    [
      {
        instances: [
          { name: 'a', baseUrl: 'http://x', auth: { username: 'u' } },
        ],
      },
      'airflow.instances[0].auth.password',
    ],
    [
      {
        instances: [
          {
            name: 'a',
            baseUrl: 'http://x',
            auth: { token: 't', username: 'u', password: 'p' },
          },
        ],
      },
      'airflow.instances[0].auth',
    ],
    [
      { instances: [{ name: 'a', baseUrl: 'http://x', timeoutSeconds: -1 }] },
      'airflow.instances[0].timeoutSeconds',
    ],
    [
      { instances: [{ name: 'a', baseUrl: 'http://x', colour: 'red' }] },
      'airflow.instances[0]',
    ],
    [
      {
        instances: [
          { name: 'a', baseUrl: 'http://x' },
          { name: 'a', baseUrl: 'http://y' },
        ],
      },
      "airflow.instances[1].name: duplicate instance name 'a'",
    ],
    [
      { instances: [{ name: 'a', baseUrl: 'http://x' }], baseUrl: 'http://y' },
      'not both',
    ],
    [
      { instances: [{ name: 'a', baseUrl: 'http://x' }], recentRunsLimit: 500 },
      'airflow.recentRunsLimit',
    ],
  ])('fails at startup on %j with a message naming %s', (airflow, key) => {
    expect(() => read(airflow)).toThrow(key);
    expect(() => read(airflow)).toThrow(/^Invalid Airflow config: /);
  });
});
