import fs from 'node:fs';
import { type Config, ConfigReader } from '@backstage/config';
import { instanceNameSchema } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import { z } from 'zod';
import type {
  AirflowAuthConfig,
  AirflowInstanceConfig,
} from './lib/airflow/types';

/** The validated configuration of the plugin. */
export interface AirflowPluginConfig {
  /** Instances in config order; the first is the default. */
  instances: AirflowInstanceConfig[];
  /** TTL of cached reads in milliseconds; 0 disables caching. */
  cacheTtlMs: number;
  /** Number of latest runs per DAG on an entity's page. */
  recentRunsLimit: number;
  /** How often the ownership index is rebuilt, in minutes. */
  ownershipRefreshMinutes: number;
  /** Whether the API's answers are checked against the OpenAPI spec before they are sent. */
  validateResponses: boolean;
}

const urlSchema = z
  .string()
  .url('must be an absolute http(s) URL')
  .refine(u => /^https?:\/\//i.test(u), 'must start with http:// or https://')
  .refine(
    u => !/^https?:\/\/[^/]*@/i.test(u),
    'must not contain credentials; use the auth keys',
  )
  .transform(u => u.replace(/\/+$/, ''));

/** `auth.type`s the plugin itself serves; others come from auth provider modules. */
const BUILT_IN_AUTH_TYPES = ['password', 'token', 'none'];

/** How long entity pages wait for an instance unless configured, in milliseconds. */
const DEFAULT_PAGE_TIMEOUT_MS = 5_000;

const authSchema = z
  .object({
    type: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and "-"')
      .optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    token: z.string().min(1).optional(),
  })
  // Keys of other auth types are theirs to read.
  .passthrough()
  .superRefine((auth, ctx) => {
    if (auth.type && !BUILT_IN_AUTH_TYPES.includes(auth.type)) return;
    const extra = Object.keys(auth).filter(
      k => !['type', 'username', 'password', 'token'].includes(k),
    );
    if (extra.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown key${extra.length > 1 ? 's' : ''} ${extra
          .map(k => `'${k}'`)
          .join(', ')} (auth.type ${auth.type ?? 'password/token/none'})`,
      });
    }
    if (auth.type === 'password' && !auth.username) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'is required with type password',
      });
    }
    if (auth.type === 'token' && !auth.token) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'is required with type token',
      });
    }
    if (auth.token && (auth.username || auth.password)) {
      ctx.addIssue({
        code: 'custom',
        message: 'set either token or username/password, not both',
      });
    }
    if (auth.username && auth.password === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'is required with username',
      });
    }
    if (auth.password !== undefined && !auth.username) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'is required with password',
      });
    }
  });

const instanceSchema = z
  .object({
    name: instanceNameSchema,
    baseUrl: urlSchema,
    webUiUrl: urlSchema.optional(),
    apiVersion: z.enum(['auto', 'v1', 'v2']).default('auto'),
    auth: authSchema.optional(),
    timeoutSeconds: z.number().positive().max(300).default(10),
    pageTimeoutSeconds: z.number().positive().max(300).optional(),
    tls: z
      .object({
        caFile: z.string().min(1).optional(),
        ca: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const rootSchema = z
  .object({
    instances: z.array(instanceSchema).min(1).optional(),
    name: z.unknown().optional(),
    baseUrl: z.unknown().optional(),
    webUiUrl: z.unknown().optional(),
    apiVersion: z.unknown().optional(),
    auth: z.unknown().optional(),
    timeoutSeconds: z.unknown().optional(),
    pageTimeoutSeconds: z.unknown().optional(),
    tls: z.unknown().optional(),
    cache: z
      .object({ ttlSeconds: z.number().min(0).max(3600).default(30) })
      .strict()
      .default({ ttlSeconds: 30 }),
    recentRunsLimit: z.number().int().min(1).max(25).default(5),
    validateResponses: z.boolean().optional(),
    ownership: z
      .object({
        // Down to 15 s, for tests of the schedule (scripts/fleet-test.sh).
        refreshIntervalMinutes: z
          .number()
          .min(0.25)
          .max(24 * 60)
          .default(10),
      })
      .strict()
      .default({ refreshIntervalMinutes: 10 }),
  })
  .strict();

function formatIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map(issue => {
      const path = issue.path.reduce<string>(
        (acc, part) =>
          typeof part === 'number'
            ? `${acc}[${part}]`
            : `${acc}.${String(part)}`,
        prefix,
      );
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

function authOf(
  auth: z.infer<typeof authSchema> | undefined,
  authConfig: Config | undefined,
): AirflowAuthConfig {
  if (auth?.type && !BUILT_IN_AUTH_TYPES.includes(auth.type)) {
    return {
      type: 'extension',
      name: auth.type,
      config: authConfig ?? new ConfigReader({}),
    };
  }
  if (auth?.type === 'none') return { type: 'none' };
  if (auth?.token) return { type: 'token', token: auth.token };
  if (auth?.username) {
    return {
      type: 'password',
      username: auth.username,
      password: auth.password ?? '',
    };
  }
  return { type: 'none' };
}

/**
 * Reads and validates the `airflow` config section.
 *
 * @throws Error naming each offending key, e.g.
 *   `Invalid Airflow config: airflow.instances[1].baseUrl: must be an absolute http(s) URL`.
 */
export function readAirflowConfig(config: Config): AirflowPluginConfig {
  const raw = config.getOptional('airflow');
  if (raw === undefined) {
    throw new Error(
      'Invalid Airflow config: airflow: missing; configure airflow.instances (or airflow.baseUrl for a single instance)',
    );
  }
  const root = rootSchema.safeParse(raw);
  if (!root.success) {
    throw new Error(
      `Invalid Airflow config: ${formatIssues(root.error, 'airflow')}`,
    );
  }
  const {
    instances: list,
    cache,
    recentRunsLimit,
    ownership,
    validateResponses,
    ...single
  } = root.data;

  let parsedInstances: z.infer<typeof instanceSchema>[];
  const hasSingle = single.baseUrl !== undefined;
  if (list && hasSingle) {
    throw new Error(
      'Invalid Airflow config: airflow: set either airflow.instances or airflow.baseUrl, not both',
    );
  }
  if (list) {
    parsedInstances = list;
  } else if (hasSingle) {
    const one = instanceSchema.safeParse({ name: 'default', ...single });
    if (!one.success) {
      throw new Error(
        `Invalid Airflow config: ${formatIssues(one.error, 'airflow')}`,
      );
    }
    parsedInstances = [one.data];
  } else {
    throw new Error(
      'Invalid Airflow config: airflow.instances: missing; configure at least one instance',
    );
  }

  const names = new Set<string>();
  parsedInstances.forEach((instance, index) => {
    if (names.has(instance.name)) {
      throw new Error(
        `Invalid Airflow config: airflow.instances[${index}].name: duplicate instance name '${instance.name}'`,
      );
    }
    names.add(instance.name);
  });

  const authConfigOf = (index: number) =>
    list
      ? config
          .getConfigArray('airflow.instances')
          [index].getOptionalConfig('auth')
      : config.getOptionalConfig('airflow.auth');
  const keyOf = (index: number, key: string) =>
    list ? `airflow.instances[${index}].${key}` : `airflow.${key}`;

  return {
    cacheTtlMs: cache.ttlSeconds * 1000,
    recentRunsLimit,
    ownershipRefreshMinutes: ownership.refreshIntervalMinutes,
    validateResponses:
      validateResponses ?? process.env.NODE_ENV !== 'production',
    instances: parsedInstances.map((instance, index) => {
      const timeoutMs = Math.round(instance.timeoutSeconds * 1000);
      return {
        name: instance.name,
        baseUrl: instance.baseUrl,
        webUiUrl: instance.webUiUrl ?? instance.baseUrl,
        apiVersion: instance.apiVersion,
        timeoutMs,
        pageTimeoutMs:
          instance.pageTimeoutSeconds !== undefined
            ? Math.round(instance.pageTimeoutSeconds * 1000)
            : Math.min(timeoutMs, DEFAULT_PAGE_TIMEOUT_MS),
        auth: authOf(instance.auth, authConfigOf(index)),
        ...caCertificatesOf(instance.tls, keyOf(index, 'tls')),
      };
    }),
  };
}

/** The PEM certificates of `tls.ca` and `tls.caFile`, or undefined for none. */
function caCertificatesOf(
  tls: { ca?: string; caFile?: string } | undefined,
  key: string,
): { caCertificates?: string[] } {
  const pems: string[] = [];
  if (tls?.ca) pems.push(tls.ca);
  if (tls?.caFile) {
    try {
      pems.push(fs.readFileSync(tls.caFile, 'utf8'));
    } catch (error) {
      throw new Error(
        `Invalid Airflow config: ${key}.caFile: cannot read ${tls.caFile}: ${
          (error as Error).message
        }`,
      );
    }
  }
  for (const pem of pems) {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error(
        `Invalid Airflow config: ${key}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`,
      );
    }
  }
  return pems.length ? { caCertificates: pems } : {};
}
