import {
  billingExportOwnership,
  featureStoreOwnership,
  legacyCleanupOwnership,
  ordersEtlOwnership,
  ownershipDag,
  ownershipResponse,
  secretJobOwnership,
  tmpBackfillOwnership,
} from '../__fixtures__/ownership';
import {
  dagsOwnedBy,
  filterOwnershipDags,
  filtersFromSearchParams,
  filtersToSearchParams,
  hiddenEntitiesText,
  indexBuiltAtMillis,
  instancesOf,
  NO_OWNERSHIP_FILTERS,
  ownersOf,
  ownershipCsv,
  withFlag,
  type OwnershipFilters,
} from './ownership';

const dags = ownershipResponse.dags;
const ids = (list: { dagId: string }[]) => list.map(d => d.dagId).sort();
const filter = (
  filters: Partial<OwnershipFilters>,
  myRefs: string[] = [],
  search = '',
) =>
  ids(
    filterOwnershipDags(
      dags,
      { ...NO_OWNERSHIP_FILTERS, ...filters },
      myRefs,
      search,
    ),
  );

describe('filterOwnershipDags', () => {
  it('keeps every DAG without filters', () => {
    expect(filter({})).toHaveLength(6);
  });

  it('keeps only the DAGs of the selected instance', () => {
    expect(filter({ instance: 'prod' })).toEqual([
      'billing_export',
      'secret_job',
      'tmp_backfill',
    ]);
  });

  it('keeps only the DAGs of the selected owner, comparing refs case-insensitively', () => {
    expect(filter({ owner: 'group:default/data-eng' })).toEqual([
      'billing_export',
      'orders_etl',
    ]);
    expect(filter({ owner: 'Group:Default/Data-Eng' })).toEqual([
      'billing_export',
      'orders_etl',
    ]);
  });

  it('keeps only DAGs whose owners intersect my ownership refs for "mine"', () => {
    expect(
      filter({ mine: true }, ['user:default/jane', 'group:default/unrelated']),
    ).toEqual(['ml.feature-store-refresh']);
    expect(filter({ mine: true }, [])).toEqual([]);
  });

  it('keeps only orphans, only owned, only failing or only paused DAGs', () => {
    expect(filter({ orphans: true })).toEqual([
      'legacy_cleanup',
      'tmp_backfill',
    ]);
    expect(filter({ owned: true })).toEqual([
      'billing_export',
      'ml.feature-store-refresh',
      'orders_etl',
      'secret_job',
    ]);
    expect(filter({ failing: true })).toEqual([
      'legacy_cleanup',
      'orders_etl',
      'secret_job',
    ]);
    expect(filter({ paused: true })).toEqual([
      'ml.feature-store-refresh',
      'tmp_backfill',
    ]);
  });

  it('combines filters with AND', () => {
    expect(filter({ failing: true, instance: 'default' })).toEqual([
      'legacy_cleanup',
      'orders_etl',
    ]);
    expect(filter({ failing: true, orphans: true })).toEqual([
      'legacy_cleanup',
    ]);
  });

  it('searches names, ids, owners and entities case-insensitively, every word', () => {
    expect(filter({}, [], 'FEATURE')).toEqual(['ml.feature-store-refresh']);
    expect(filter({}, [], 'component:default/billing')).toEqual([
      'billing_export',
    ]);
    expect(filter({}, [], 'data-eng prod')).toEqual(['billing_export']);
  });
});

describe('withFlag', () => {
  it('clears "owned only" and "owned by me" when "orphans only" is set', () => {
    expect(
      withFlag(
        { ...NO_OWNERSHIP_FILTERS, owned: true, mine: true },
        'orphans',
        true,
      ),
    ).toMatchObject({ orphans: true, owned: false, mine: false });
  });

  it('clears "orphans only" when "owned only" or "owned by me" is set', () => {
    const orphans = { ...NO_OWNERSHIP_FILTERS, orphans: true };
    expect(withFlag(orphans, 'owned', true)).toMatchObject({
      owned: true,
      orphans: false,
    });
    expect(withFlag(orphans, 'mine', true)).toMatchObject({
      mine: true,
      orphans: false,
    });
  });

  it('keeps the other flags when a flag is cleared or an unrelated flag is set', () => {
    expect(
      withFlag({ ...NO_OWNERSHIP_FILTERS, orphans: true }, 'failing', true),
    ).toMatchObject({ orphans: true, failing: true });
  });
});

describe('filter query parameters', () => {
  it('round-trips the filters through query parameters, keeping other parameters', () => {
    const filters: OwnershipFilters = {
      ...NO_OWNERSHIP_FILTERS,
      instance: 'prod',
      owner: 'group:default/data-eng',
      failing: true,
    };
    const params = filtersToSearchParams(
      filters,
      new URLSearchParams('orphans=1&tab=x'),
    );
    expect(params.toString()).toBe(
      'tab=x&instance=prod&owner=group%3Adefault%2Fdata-eng&failing=1',
    );
    expect(filtersFromSearchParams(params)).toEqual(filters);
  });

  it('reads no filters from empty or unknown parameters', () => {
    expect(
      filtersFromSearchParams(new URLSearchParams('failing=yes&x=1')),
    ).toEqual(NO_OWNERSHIP_FILTERS);
  });
});

describe('owners and instances', () => {
  it('lists every owner of DAGs and dangling references once, sorted', () => {
    expect(ownersOf(dags, ownershipResponse.dangling)).toEqual([
      'group:default/analytics',
      'group:default/data-eng',
      'group:default/ml-platform',
      'user:default/jane',
    ]);
  });

  it('lists every instance once, sorted', () => {
    expect(instancesOf(dags)).toEqual(['default', 'prod']);
  });

  it('finds the DAGs a group owns through its entities', () => {
    expect(ids(dagsOwnedBy(dags, 'group:default/data-eng'))).toEqual([
      'billing_export',
      'orders_etl',
    ]);
    expect(dagsOwnedBy(dags, 'group:default/nobody')).toEqual([]);
  });
});

describe('ownershipCsv', () => {
  it('writes a header and one row per DAG with owners and entities joined by "; "', () => {
    expect(
      ownershipCsv([featureStoreOwnership, tmpBackfillOwnership]).split('\r\n'),
    ).toEqual([
      'instance,dag_id,display_name,owners,entities,paused,last_run_state,schedule,orphan',
      'default,ml.feature-store-refresh,Feature store refresh,group:default/ml-platform; user:default/jane,component:default/feature-store,true,running,,false',
      'prod,tmp_backfill,Temporary backfill,,,true,,,true',
      '',
    ]);
  });

  it('quotes names and schedules with commas and quotes, doubling the quotes', () => {
    const csv = ownershipCsv([
      ownershipDag({
        dagId: 'weird',
        displayName: 'Orders, "daily" load',
        schedule: 'At 06:00, only on Monday',
        owners: ['group:default/a', 'group:default/b'],
      }),
    ]);
    expect(csv.split('\r\n')[1]).toBe(
      'default,weird,"Orders, ""daily"" load",group:default/a; group:default/b,,false,success,"At 06:00, only on Monday",false',
    );
  });

  it('writes only the header for no DAGs', () => {
    expect(ownershipCsv([])).toBe(
      'instance,dag_id,display_name,owners,entities,paused,last_run_state,schedule,orphan\r\n',
    );
  });

  it('keeps the order of the given DAGs', () => {
    const rows = ownershipCsv([
      secretJobOwnership,
      ordersEtlOwnership,
      billingExportOwnership,
      legacyCleanupOwnership,
    ])
      .split('\r\n')
      .slice(1, -1)
      .map(row => row.split(',')[1]);
    expect(rows).toEqual([
      'secret_job',
      'orders_etl',
      'billing_export',
      'legacy_cleanup',
    ]);
  });
});

describe('indexBuiltAtMillis', () => {
  it('counts the server-reported age back from when the answer arrived', () => {
    expect(
      indexBuiltAtMillis(
        { builtAt: '2000-01-01T00:00:00Z', ageSeconds: 180 },
        1_000_000,
      ),
    ).toBe(1_000_000 - 180_000);
  });

  it('falls back to builtAt without an age, and is undefined for a never-built index', () => {
    expect(
      indexBuiltAtMillis(
        { builtAt: '2025-03-30T10:00:00Z', ageSeconds: null },
        0,
      ),
    ).toBe(Date.parse('2025-03-30T10:00:00Z'));
    expect(indexBuiltAtMillis({ builtAt: null, ageSeconds: null }, 0)).toBe(
      undefined,
    );
  });
});

describe('hiddenEntitiesText', () => {
  it('uses the singular for one entity and the plural otherwise', () => {
    expect(hiddenEntitiesText(1)).toBe('1 entity you cannot see');
    expect(hiddenEntitiesText(2)).toBe('2 entities you cannot see');
  });
});
