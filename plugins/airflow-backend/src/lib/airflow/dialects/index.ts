import type { AirflowApiVersion } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import type { AirflowDialect } from './types';
import { v1Dialect } from './v1';
import { v2Dialect } from './v2';

export type { AirflowDialect } from './types';

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
