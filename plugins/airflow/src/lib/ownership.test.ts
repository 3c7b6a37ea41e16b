import {
  DEFAULT_OWNERSHIP_VIEW,
  NO_OWNERSHIP_FILTERS,
  filtersFromSearchParams,
  hiddenEntitiesText,
  isFiltered,
  serverTimeMillis,
  toOwnershipQuery,
  toSearchParams,
  viewFromSearchParams,
  withFlag,
  type OwnershipFilters,
  type OwnershipView,
} from './ownership';

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

describe('view query parameters', () => {
  it('round-trips the filters, order and pages through query parameters, keeping other parameters', () => {
    const filters: OwnershipFilters = {
      ...NO_OWNERSHIP_FILTERS,
      instance: 'prod',
      owner: 'group:default/data-eng',
      failing: true,
      q: 'orders etl',
      includeChildGroups: false,
    };
    const view: OwnershipView = {
      sort: 'lastRun',
      order: 'desc',
      page: 2,
      pageSize: 50,
      danglingPage: 1,
    };
    const params = toSearchParams(
      filters,
      view,
      new URLSearchParams('orphans=1&tab=x'),
    );
    expect(params.toString()).toBe(
      'tab=x&instance=prod&owner=group%3Adefault%2Fdata-eng&q=orders+etl&failing=1&children=0&sort=lastRun&order=desc&page=3&size=50&dpage=2',
    );
    expect(filtersFromSearchParams(params)).toEqual(filters);
    expect(viewFromSearchParams(params)).toEqual(view);
  });

  it('writes nothing for the defaults, and reads the defaults from empty or unknown parameters', () => {
    expect(
      toSearchParams(
        NO_OWNERSHIP_FILTERS,
        DEFAULT_OWNERSHIP_VIEW,
        new URLSearchParams(),
      ).toString(),
    ).toBe('');
    const junk = new URLSearchParams(
      'failing=yes&x=1&sort=name&order=up&page=-3&size=7&dpage=x&children=no',
    );
    expect(filtersFromSearchParams(junk)).toEqual(NO_OWNERSHIP_FILTERS);
    expect(viewFromSearchParams(junk)).toEqual(DEFAULT_OWNERSHIP_VIEW);
  });
});

describe('toOwnershipQuery', () => {
  it('sends only what is set, child groups only when they are turned off for an owner filter', () => {
    expect(toOwnershipQuery(NO_OWNERSHIP_FILTERS)).toEqual({});
    expect(
      toOwnershipQuery({
        ...NO_OWNERSHIP_FILTERS,
        q: '  etl ',
        owner: 'group:default/data',
        mine: true,
        paused: true,
        includeChildGroups: false,
      }),
    ).toEqual({
      q: 'etl',
      owner: 'group:default/data',
      mine: true,
      paused: true,
      includeChildGroups: false,
    });
    expect(
      toOwnershipQuery({ ...NO_OWNERSHIP_FILTERS, includeChildGroups: false }),
    ).toEqual({});
  });

  it('isFiltered ignores blank search text', () => {
    expect(isFiltered({ ...NO_OWNERSHIP_FILTERS, q: '  ' })).toBe(false);
    expect(isFiltered({ ...NO_OWNERSHIP_FILTERS, q: 'x' })).toBe(true);
    expect(
      isFiltered({ ...NO_OWNERSHIP_FILTERS, includeChildGroups: false }),
    ).toBe(true);
  });
});

describe('serverTimeMillis', () => {
  it('counts the server-reported age back from when the answer arrived', () => {
    expect(
      serverTimeMillis(
        { at: '2000-01-01T00:00:00Z', ageSeconds: 180 },
        1_000_000,
      ),
    ).toBe(1_000_000 - 180_000);
  });

  it('falls back to the time without an age, and is undefined without either', () => {
    expect(
      serverTimeMillis({ at: '2025-03-30T10:00:00Z', ageSeconds: null }, 0),
    ).toBe(Date.parse('2025-03-30T10:00:00Z'));
    expect(serverTimeMillis({ at: null, ageSeconds: null }, 0)).toBe(undefined);
  });
});

describe('hiddenEntitiesText', () => {
  it('uses the singular for one entity and the plural otherwise', () => {
    expect(hiddenEntitiesText(1)).toBe('1 entity you cannot see');
    expect(hiddenEntitiesText(2)).toBe('2 entities you cannot see');
  });
});
