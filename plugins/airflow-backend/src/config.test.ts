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
      // On outside production (NODE_ENV is 'test' here).
      validateResponses: true,
      instances: [
        {
          name: 'prod',
          baseUrl: 'https://airflow.example.com/sub',
          webUiUrl: 'https://airflow.example.com/sub',
          apiVersion: 'auto',
          auth: { type: 'password', username: 'u', password: 'p' },
          timeoutMs: 10_000,
          // Entity pages wait for an instance 5 s at most, unless the timeout is shorter.
          pageTimeoutMs: 5_000,
        },
        {
          name: 'legacy',
          baseUrl: 'http://127.0.0.1:8081',
          webUiUrl: 'http://127.0.0.1:8081',
          apiVersion: 'v1',
          auth: { type: 'token', token: 't' },
          timeoutMs: 2500,
          pageTimeoutMs: 2500,
        },
      ],
    });
  });

  it('reads an auth type of an extension with its own keys, and a private CA', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const config = read({
      instances: [
        {
          name: 'cloud',
          baseUrl: 'https://airflow.example.com',
          auth: { type: 'gcp-identity', audience: 'airflow' },
          tls: { ca },
          pageTimeoutSeconds: 2,
        },
      ],
    });
    const [instance] = config.instances;
    expect(instance.auth).toMatchObject({
      type: 'extension',
      name: 'gcp-identity',
    });
    expect(
      instance.auth.type === 'extension' &&
        instance.auth.config.getString('audience'),
    ).toBe('airflow');
    expect(instance.caCertificates).toEqual([ca]);
    expect(instance.pageTimeoutMs).toBe(2000);
  });

  it.each([
    [
      { type: 'password' },
      'airflow.instances[0].auth.username: is required with type password',
    ],
    [
      { type: 'token' },
      'airflow.instances[0].auth.token: is required with type token',
    ],
    [{ username: 'u', password: 'p', audience: 'x' }, "unknown key 'audience'"],
    [{ type: 'Not valid' }, 'airflow.instances[0].auth.type'],
  ])('refuses the auth block %j naming the key', (auth, message) => {
    expect(() =>
      read({ instances: [{ name: 'a', baseUrl: 'http://a', auth }] }),
    ).toThrow(message);
  });

  it('refuses a CA that is not a PEM certificate, or a CA file it cannot read', () => {
    expect(() =>
      read({
        instances: [{ name: 'a', baseUrl: 'https://a', tls: { ca: 'nope' } }],
      }),
    ).toThrow('airflow.instances[0].tls: not a PEM certificate');
    expect(() =>
      read({
        instances: [
          {
            name: 'a',
            baseUrl: 'https://a',
            tls: { caFile: '/no/such/ca.pem' },
          },
        ],
      }),
    ).toThrow('airflow.instances[0].tls.caFile: cannot read /no/such/ca.pem');
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

  it('checks answers against the spec unless NODE_ENV is production, or as configured', () => {
    const one = { baseUrl: 'http://127.0.0.1:8080' };
    const nodeEnv = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      expect(read(one).validateResponses).toBe(false);
      expect(read({ ...one, validateResponses: true }).validateResponses).toBe(
        true,
      );
      process.env.NODE_ENV = 'development';
      expect(read(one).validateResponses).toBe(true);
      expect(read({ ...one, validateResponses: false }).validateResponses).toBe(
        false,
      );
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    expect(() => read({ ...one, validateResponses: 'yes' })).toThrow(
      'airflow.validateResponses',
    );
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
