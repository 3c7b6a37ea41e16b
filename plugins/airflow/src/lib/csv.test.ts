import { csvField, toCsv } from './csv';

describe('csvField', () => {
  it('leaves plain text, numbers and booleans unquoted', () => {
    expect(csvField('orders_etl')).toBe('orders_etl');
    expect(csvField(42)).toBe('42');
    expect(csvField(true)).toBe('true');
  });

  it('writes null and undefined as empty fields', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes fields with commas, line breaks or surrounding spaces', () => {
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField(' padded ')).toBe('" padded "');
  });

  it('quotes fields with quotes and doubles the quotes', () => {
    expect(csvField('the "big" one')).toBe('"the ""big"" one"');
    expect(csvField('"')).toBe('""""');
  });

  it('prefixes text that spreadsheets would run as a formula with an apostrophe', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-rm')).toBe("'-rm");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField(-1)).toBe('-1');
  });
});

describe('toCsv', () => {
  it('writes the header and each row, every row ending with CRLF', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['1', 'x,y'],
          ['2', null],
        ],
      ),
    ).toBe('a,b\r\n1,"x,y"\r\n2,\r\n');
  });

  it('writes only the header for no rows', () => {
    expect(toCsv(['a', 'b'], [])).toBe('a,b\r\n');
  });
});
