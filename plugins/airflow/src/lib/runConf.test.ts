import { parseRunConf, RUN_CONF_NOT_OBJECT_MESSAGE } from './runConf';

describe('parseRunConf', () => {
  it('accepts a JSON object as the run config', () => {
    expect(parseRunConf('{"region": "us", "n": 2}')).toEqual({
      conf: { region: 'us', n: 2 },
    });
  });

  it('treats blank text as an empty run config', () => {
    expect(parseRunConf('  \n')).toEqual({ conf: {} });
  });

  it('reports a parse error for invalid JSON', () => {
    expect(parseRunConf('{"region": }').error).toMatch(/^Invalid JSON: /);
  });

  it.each(['[1]', '"x"', '42', 'true', 'null'])(
    'refuses %s because it is not a JSON object',
    text => {
      expect(parseRunConf(text)).toEqual({
        error: RUN_CONF_NOT_OBJECT_MESSAGE,
      });
    },
  );
});
