import type { AirflowApiVersion } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AirflowDialect, AirflowFeature } from './types';
import { v1Dialect } from './v1';
import { v2Dialect } from './v2';

import semver from 'semver';

export type { AirflowDialect, AirflowFeature } from './types';

const DIALECTS: Record<AirflowApiVersion, AirflowDialect> = {
  v1: v1Dialect,
  v2: v2Dialect,
};

/** The dialect of an API generation. */
export function dialectOf(apiVersion: AirflowApiVersion): AirflowDialect {
  return DIALECTS[apiVersion];
}

/** Every dialect, newest first: the order in which version detection probes them. */
export const DIALECTS_NEWEST_FIRST: readonly AirflowDialect[] = [
  v2Dialect,
  v1Dialect,
];

/**
 * Whether an Airflow of `serverVersion` (e.g. `3.3.2`) speaking `dialect`
 * has `feature`. An unknown version has no optional feature.
 */
export function hasFeature(
  dialect: AirflowDialect,
  serverVersion: string | undefined,
  feature: AirflowFeature,
): boolean {
  const range = dialect.features[feature];
  const version = serverVersion ? semver.coerce(serverVersion) : null;
  return Boolean(range && version && semver.satisfies(version, range));
}
