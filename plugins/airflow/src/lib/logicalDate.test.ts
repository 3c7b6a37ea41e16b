import { Settings } from 'luxon';
import { localDateTimeToIso } from './logicalDate';

describe('localDateTimeToIso', () => {
  const zone = Settings.defaultZone;
  afterEach(() => {
    Settings.defaultZone = zone;
  });

  it('converts a datetime-local value to ISO 8601 with the local offset', () => {
    Settings.defaultZone = 'Europe/Paris';
    expect(localDateTimeToIso('2025-03-29T19:48')).toEqual({
      iso: '2025-03-29T19:48:00+01:00',
    });
  });

  it('returns no logical date for blank input', () => {
    expect(localDateTimeToIso('')).toEqual({});
  });

  it('reports an invalid date', () => {
    expect(localDateTimeToIso('2025-13-45T99:00').error).toBe(
      'Logical date is not a valid date and time',
    );
  });
});
