/*
 * The Airflow client against a real Airflow (not a mock): the transport and
 * the service account as platform teams run them. `.ci/run` runs it against
 * Airflow 3 with the FAB auth manager served over HTTPS with a private CA,
 * under a sub-path, with short-lived tokens (scripts/airflow.sh with
 * AIRFLOW_TLS=1 AIRFLOW_BASE_PATH=/airflow AIRFLOW_JWT_EXPIRATION=…).
 *
 *   AIRFLOW_BASE_URL        the instance, e.g. https://127.0.0.1:28081/airflow (required)
 *   AIRFLOW_CA_FILE         the PEM file of its private CA (HTTPS only)
 *   AIRFLOW_USERNAME/PASSWORD                an admin account (default admin/admin)
 *   AIRFLOW_VIEWER_USERNAME/PASSWORD         a read-only account (default viewer/viewer)
 *   AIRFLOW_JWT_EXPIRATION  the instance's token lifetime in seconds (Airflow 3), for the renewal test
 *
 * Run: yarn workspace @airflow-for-backstage/backstage-plugin-airflow-backend test:real
 */
/* eslint-disable jest/no-standalone-expect, jest/no-conditional-expect, @backstage/no-undeclared-imports --
   a real-server test (*.itest.ts, run by test:real): cases skip themselves by what the server offers */
import fs from 'node:fs';
import { mockServices } from '@backstage/backend-test-utils';
import { PasswordAuthProvider } from './auth';
import { DefaultAirflowClient } from './AirflowClient';
import type { AirflowInstanceConfig } from './types';

const BASE_URL = process.env.AIRFLOW_BASE_URL ?? '';
const CA_FILE = process.env.AIRFLOW_CA_FILE;
const JWT_EXPIRATION_S = Number(process.env.AIRFLOW_JWT_EXPIRATION ?? 0);
const DAG_ID = 'orders_etl_hourly';

jest.setTimeout(180_000);

function client(
  overrides: Partial<AirflowInstanceConfig> & {
    username?: string;
    password?: string;
  } = {},
) {
  const { username, password, ...config } = overrides;
  return DefaultAirflowClient.create({
    config: {
      name: 'real',
      baseUrl: BASE_URL,
      webUiUrl: BASE_URL,
      apiVersion: 'auto',
      auth: {
        type: 'password',
        username: username ?? process.env.AIRFLOW_USERNAME ?? 'admin',
        password: password ?? process.env.AIRFLOW_PASSWORD ?? 'admin',
      },
      timeoutMs: 30_000,
      caCertificates: CA_FILE ? [fs.readFileSync(CA_FILE, 'utf8')] : undefined,
      ...config,
    },
    logger: mockServices.logger.mock(),
  });
}

const describeReal = BASE_URL ? describe : describe.skip;

describeReal(
  `the Airflow client against the real Airflow at ${BASE_URL}`,
  () => {
    it('reads DAGs, with links into the web UI under its sub-path', async () => {
      const dags = await client().getDags([DAG_ID]);
      expect(dags.map(d => d.dagId)).toEqual([DAG_ID]);
      const base = new URL(BASE_URL);
      const link = new URL(dags[0].webUrl);
      expect(link.origin).toBe(base.origin);
      expect(
        link.pathname.startsWith(`${base.pathname.replace(/\/$/, '')}/`),
      ).toBe(true);
      expect(link.pathname).toContain(DAG_ID);
    });

    (BASE_URL.startsWith('https:') ? it : it.skip)(
      "verifies the server's certificate: without the private CA the instance is unavailable, naming the certificate",
      async () => {
        const error = await client({ caCertificates: undefined })
          .getDags([DAG_ID])
          .catch(e => e);
        expect(error.name).toBe('ServiceUnavailableError');
        expect(error.message).toMatch(/certificate/i);
      },
    );

    it('a read-only service account reads, and a trigger it may not make is a typed Airflow 403 naming the instance', async () => {
      const viewer = client({
        username: process.env.AIRFLOW_VIEWER_USERNAME ?? 'viewer',
        password: process.env.AIRFLOW_VIEWER_PASSWORD ?? 'viewer',
      });
      await expect(viewer.getDags([DAG_ID])).resolves.toHaveLength(1);
      const before = await client().listDagRuns(DAG_ID, { limit: 1 });
      const error = await viewer
        .triggerDagRun(DAG_ID, { conf: {} })
        .catch(e => e);
      expect(error.name).toBe('AirflowPermissionError');
      expect(error.statusCode).toBe(403);
      expect(error.message).toContain("instance 'real'");
      // Nothing was created.
      const after = await client().listDagRuns(DAG_ID, { limit: 1 });
      expect(after.totalEntries).toBe(before.totalEntries);
    });

    it('wrong credentials are an authentication failure, and are not sent again on every request', async () => {
      const wrong = client({ password: 'not-the-password' });
      const errors = await Promise.all(
        Array.from({ length: 5 }, () => wrong.getDags([DAG_ID]).catch(e => e)),
      );
      const again = await wrong.getDags([DAG_ID]).catch(e => e);
      for (const error of [...errors, again]) {
        expect(error.name).toBe('AirflowAuthenticationError');
        expect(error.message).toContain("'real'");
      }
      const provider = wrong.authProvider;
      if (
        provider instanceof PasswordAuthProvider &&
        (await wrong.getApiVersion()) === 'v2'
      ) {
        // Airflow 3: one login for the burst, none for the request in the back-off window.
        expect(provider.loginAttempts).toBe(1);
      }
    });

    (JWT_EXPIRATION_S > 0 ? it : it.skip)(
      'a token expiring before a burst of requests is renewed once, not once per request',
      async () => {
        const c = client();
        await c.getDags([DAG_ID]);
        const provider = c.authProvider as PasswordAuthProvider;
        expect(provider.loginAttempts).toBe(1);
        // Past the token's lifetime (the client renews in its second half).
        await new Promise(resolve =>
          setTimeout(resolve, JWT_EXPIRATION_S * 1000 + 1000),
        );
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => c.getDags([DAG_ID])),
        );
        expect(answers.every(a => a.length === 1)).toBe(true);
        expect(provider.loginAttempts).toBe(2);
      },
    );
  },
);
