import type { Entity } from '@backstage/catalog-model';
import {
  AirflowAnnotationError,
  isAirflowAvailable,
  parseAirflowAnnotations,
} from './annotations';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'x', annotations },
  spec: {},
});

describe('parseAirflowAnnotations', () => {
  it('parses DAG ids with and without instance prefixes, trimming and deduplicating', () => {
    const parsed = parseAirflowAnnotations(
      entity({
        'airflow.apache.org/dag-ids':
          ' orders_etl , prod:billing,ml.feature-store-refresh,,orders_etl, prod : billing ',
        'airflow.apache.org/instance': 'local',
      }),
    );
    expect(parsed).toEqual({
      instance: 'local',
      dagRefs: [
        { dagId: 'orders_etl' },
        { instance: 'prod', dagId: 'billing' },
        { dagId: 'ml.feature-store-refresh' },
      ],
      tags: [],
    });
  });

  it('accepts Unicode word characters in DAG ids, as Airflow does', () => {
    const parsed = parseAirflowAnnotations(
      entity({ 'airflow.apache.org/dag-ids': 'simple_non_ascii_ñ_ö' }),
    );
    expect(parsed.dagRefs).toEqual([{ dagId: 'simple_non_ascii_ñ_ö' }]);
  });

  it('parses tags, deduplicated, keeping spaces inside a tag', () => {
    const parsed = parseAirflowAnnotations(
      entity({
        'airflow.apache.org/dag-tags': 'analytics, team: finance ,analytics',
      }),
    );
    expect(parsed.tags).toEqual(['analytics', 'team: finance']);
  });

  it('returns empty lists for an entity without annotations', () => {
    expect(parseAirflowAnnotations(entity({}))).toEqual({
      dagRefs: [],
      tags: [],
    });
  });

  it.each([
    [
      'a slash in a DAG id',
      { 'airflow.apache.org/dag-ids': 'a/b' },
      'airflow.apache.org/dag-ids',
    ],
    [
      'a space in a DAG id',
      { 'airflow.apache.org/dag-ids': 'a b' },
      'airflow.apache.org/dag-ids',
    ],
    [
      'an empty instance prefix',
      { 'airflow.apache.org/dag-ids': ':orders' },
      'instance name is empty',
    ],
    [
      'an empty DAG id after the prefix',
      { 'airflow.apache.org/dag-ids': 'prod:' },
      'DAG id is empty',
    ],
    [
      'a bad instance annotation',
      { 'airflow.apache.org/instance': 'pr od' },
      'airflow.apache.org/instance',
    ],
    [
      'a dot-segment DAG id',
      { 'airflow.apache.org/dag-ids': '..' },
      'may not be',
    ],
    [
      'an over-long DAG id',
      { 'airflow.apache.org/dag-ids': 'x'.repeat(251) },
      'longer than 250',
    ],
  ])(
    'rejects %s with an error naming the problem',
    (_name, annotations, message) => {
      expect(() => parseAirflowAnnotations(entity(annotations))).toThrow(
        AirflowAnnotationError,
      );
      expect(() => parseAirflowAnnotations(entity(annotations))).toThrow(
        message,
      );
    },
  );
});

describe('isAirflowAvailable', () => {
  it('is true when either annotation has a value', () => {
    expect(
      isAirflowAvailable(entity({ 'airflow.apache.org/dag-ids': 'a' })),
    ).toBe(true);
    expect(
      isAirflowAvailable(entity({ 'airflow.apache.org/dag-tags': 'a' })),
    ).toBe(true);
  });

  it('is false without annotations, with blank values, or with only an instance', () => {
    expect(isAirflowAvailable(entity({}))).toBe(false);
    expect(
      isAirflowAvailable(entity({ 'airflow.apache.org/dag-ids': '  ' })),
    ).toBe(false);
    expect(
      isAirflowAvailable(entity({ 'airflow.apache.org/instance': 'local' })),
    ).toBe(false);
  });
});
