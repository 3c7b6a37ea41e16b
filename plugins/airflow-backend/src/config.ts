import type { Config } from '@backstage/config';
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

const authSchema = z
  .object({
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    token: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((auth, ctx) => {
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
    cache: z
      .object({ ttlSeconds: z.number().min(0).max(3600).default(30) })
      .strict()
      .default({ ttlSeconds: 30 }),
    recentRunsLimit: z.number().int().min(1).max(25).default(5),
    ownership: z
      .object({
        refreshIntervalMinutes: z
          .number()
          .min(1)
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
): AirflowAuthConfig {
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

  return {
    cacheTtlMs: cache.ttlSeconds * 1000,
    recentRunsLimit,
    ownershipRefreshMinutes: ownership.refreshIntervalMinutes,
    instances: parsedInstances.map(instance => ({
      name: instance.name,
      baseUrl: instance.baseUrl,
      webUiUrl: instance.webUiUrl ?? instance.baseUrl,
      apiVersion: instance.apiVersion,
      timeoutMs: Math.round(instance.timeoutSeconds * 1000),
      auth: authOf(instance.auth),
    })),
  };
}
