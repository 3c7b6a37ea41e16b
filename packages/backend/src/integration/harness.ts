/**
 * Helpers for the integration tests: they talk over HTTP to the running
 * example backend (BACKSTAGE_URL) and, to check what really happened, to the
 * real Airflow behind it (AIRFLOW_BASE_URL): Airflow 3 (/api/v2, JWT) or
 * Airflow 2 (/api/v1, basic auth). `.ci/run` and `scripts/compat.sh` start both.
 */

export const BACKSTAGE_URL =
  process.env.BACKSTAGE_URL ?? 'http://127.0.0.1:7007';
export const AIRFLOW_BASE_URL =
  process.env.AIRFLOW_BASE_URL ?? 'http://127.0.0.1:8080';
const AIRFLOW_USERNAME = process.env.AIRFLOW_USERNAME ?? 'admin';
const AIRFLOW_PASSWORD = process.env.AIRFLOW_PASSWORD ?? 'admin';

let guestToken: Promise<string> | undefined;

/** A Backstage token of the guest user (member of group:default/analytics). */
export function getGuestToken(): Promise<string> {
  guestToken ??= (async () => {
    const res = await fetch(`${BACKSTAGE_URL}/api/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    if (!res.ok)
      throw new Error(
        `guest sign-in failed: ${res.status} ${await res.text()}`,
      );
    const body = (await res.json()) as any;
    return body.backstageIdentity.token as string;
  })();
  return guestToken;
}

/** A request body: strings are sent as they are (to test malformed JSON), anything else as JSON. */
function encodeBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** Calls the Airflow plugin's API as the guest. */
export async function backstage(
  path: string,
  init: { method?: string; body?: unknown; token?: string | null } = {},
): Promise<{ status: number; body: any }> {
  const token = init.token === undefined ? await getGuestToken() : init.token;
  const res = await fetch(`${BACKSTAGE_URL}/api/airflow${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined
        ? { 'Content-Type': 'application/json' }
        : {}),
    },
    body: encodeBody(init.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body };
}

/** Airflow's REST API version: `AIRFLOW_API_VERSION` (v1 or v2), else detected. */
let airflowApi: Promise<'v1' | 'v2'> | undefined;

export function airflowApiVersion(): Promise<'v1' | 'v2'> {
  airflowApi ??= (async () => {
    const configured = process.env.AIRFLOW_API_VERSION;
    if (configured === 'v1' || configured === 'v2') return configured;
    if (configured)
      throw new Error(
        `AIRFLOW_API_VERSION must be v1 or v2, not ${configured}`,
      );
    // Airflow 3 answers /api/v2/version; Airflow 2 only /api/v1/version.
    const v2 = await fetch(`${AIRFLOW_BASE_URL}/api/v2/version`);
    if (v2.ok) return 'v2';
    const v1 = await fetch(`${AIRFLOW_BASE_URL}/api/v1/version`);
    if (v1.ok) return 'v1';
    throw new Error(
      `no Airflow API at ${AIRFLOW_BASE_URL}: /api/v2/version ${v2.status}, /api/v1/version ${v1.status}`,
    );
  })();
  return airflowApi;
}

let airflowAuth: Promise<string> | undefined;

/** The Authorization header for Airflow: a JWT from /auth/token (v2) or basic auth (v1). */
function airflowAuthorization(): Promise<string> {
  airflowAuth ??= (async () => {
    if ((await airflowApiVersion()) === 'v1') {
      const credentials = Buffer.from(
        `${AIRFLOW_USERNAME}:${AIRFLOW_PASSWORD}`,
      ).toString('base64');
      return `Basic ${credentials}`;
    }
    const res = await fetch(`${AIRFLOW_BASE_URL}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        username: AIRFLOW_USERNAME,
        password: AIRFLOW_PASSWORD,
      }),
    });
    if (!res.ok) throw new Error(`Airflow login failed: ${res.status}`);
    return `Bearer ${((await res.json()) as any).access_token as string}`;
  })();
  return airflowAuth;
}

/**
 * Calls Airflow's own API directly (to verify, never to act for a test), on
 * /api/v2 (Airflow 3) or /api/v1 (Airflow 2). The paths used by the tests are
 * the same on both.
 */
export async function airflow(
  path: string,
  init: { method?: string; body?: unknown } = {},
) {
  const version = await airflowApiVersion();
  const send = async () =>
    fetch(`${AIRFLOW_BASE_URL}/api/${version}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: await airflowAuthorization(),
        ...(init.body !== undefined
          ? { 'Content-Type': 'application/json' }
          : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  let res = await send();
  if (res.status === 401 && version === 'v2') {
    // The token expired (CI runs Airflow 3 with FAB on 30-second tokens): log in again, once.
    airflowAuth = undefined;
    res = await send();
  }
  return { status: res.status, body: (await res.json()) as any };
}

/** Polls `check` every second until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 150_000,
): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${
          last ? `: ${last}` : ''
        }`,
      );
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

export const entityPath = (name: string) =>
  `/entities/component/default/${name}`;

/**
 * Waits until the catalog has ingested the example entities, including the
 * guest user's team membership, then forgets any guest token issued before:
 * a token issued while the guest's User entity was missing carries no group
 * ownership claims, and owner-only actions would be denied.
 */
export async function waitForCatalog(): Promise<void> {
  await eventually(
    'the catalog to ingest examples/entities.yaml',
    async () => {
      guestToken = undefined;
      const token = await getGuestToken();
      const get = (path: string) =>
        fetch(`${BACKSTAGE_URL}/api/catalog/entities/by-name/${path}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
      const [component, user] = await Promise.all([
        get('component/default/platform-maintenance'),
        get('user/default/guest'),
      ]);
      if (!component.ok || !user.ok) return undefined;
      const guest = (await user.json()) as any;
      const member = (guest.relations ?? []).some(
        (r: any) =>
          r.type === 'memberOf' && r.targetRef === 'group:default/analytics',
      );
      return member ? true : undefined;
    },
    120_000,
  );
  guestToken = undefined;
}
