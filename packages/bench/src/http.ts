/** Small HTTP helpers over Node's fetch (keep-alive connections). */

export interface HttpAnswer {
  status: number;
  body: any;
  bytes: number;
}

export async function request(
  url: string,
  init: {
    method?: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined
        ? { 'Content-Type': 'application/json' }
        : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, bytes: Buffer.byteLength(text) };
}

/** Like {@link request}, failing on a non-2xx answer. */
export async function ok(
  url: string,
  init: Parameters<typeof request>[1] = {},
): Promise<HttpAnswer> {
  const res = await request(url, init);
  if (res.status < 200 || res.status >= 300) {
    throw new Error(
      `${init.method ?? 'GET'} ${url} answered ${res.status}: ${JSON.stringify(
        res.body,
      ).slice(0, 300)}`,
    );
  }
  return res;
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
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
    await sleep(everyMs);
  }
}

/** Milliseconds taken by `fn`. */
export async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
