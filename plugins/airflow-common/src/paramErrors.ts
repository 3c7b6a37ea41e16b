/**
 * Airflow's refusal of a run config that breaks a DAG param, made readable.
 *
 * Airflow 2 and 3 answer such a trigger with the text of Python's
 * `jsonschema` error behind `Invalid input for param <name>: `, followed by a
 * dump of the param's schema and of the value:
 *
 * ```
 * Invalid input for param top_n: 500 is greater than the maximum of 100
 *
 * Failed validating 'maximum' in schema:
 *     {'type': 'integer', 'minimum': 1, 'maximum': 100}
 *
 * On instance:
 *     500
 * ```
 *
 * {@link readableAirflowParamError} turns that into `top_n: must be at most 100`.
 */

/** One param Airflow refused, with the reason in words. @public */
export interface AirflowParamError {
  /** The param's name. */
  param: string;
  /** Why, e.g. `must be at most 100`. */
  reason: string;
}

const PARAM_ERROR = /Invalid input for param (.+?): ([^\n]*)/;
const FAILED_KEYWORD = /Failed validating '([A-Za-z]+)'/;

/** A value of the schema dump (`'maximum': 100`), when the dump is there. */
function schemaValue(text: string, keyword: string): string | undefined {
  return new RegExp(`'${keyword}': ([^,}\\n]+)`).exec(text)?.[1]?.trim();
}

/** Python's repr of a scalar or a flat list, in JSON's words (`'a'` → `a`, `None` → `null`). */
function fromPython(repr: string): string {
  const scalar = (item: string) => {
    const s = item.trim();
    if (/^'.*'$|^".*"$/.test(s)) return s.slice(1, -1);
    if (s === 'None') return 'null';
    if (s === 'True') return 'true';
    if (s === 'False') return 'false';
    return s;
  };
  const list = /^\[(.*)\]$/s.exec(repr.trim());
  if (!list) return scalar(repr);
  const items = list[1].match(
    /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g,
  );
  return (items ?? []).map(scalar).join(', ');
}

type Rule = [
  RegExp,
  (match: RegExpExecArray, keyword: string | undefined, text: string) => string,
];

/** Sizes: characters of a string, items of an array, properties of an object. */
function unit(keyword: string | undefined, count: string): string {
  const n = count === '1' ? '' : 's';
  if (keyword?.endsWith('Items')) return `${count} item${n}`;
  if (keyword?.endsWith('Properties'))
    return `${count} propert${n ? 'ies' : 'y'}`;
  return `${count} character${n}`;
}

const RULES: Rule[] = [
  [
    / is greater than or equal to the maximum of (.+)$/,
    m => `must be less than ${m[1]}`,
  ],
  [
    / is less than or equal to the minimum of (.+)$/,
    m => `must be greater than ${m[1]}`,
  ],
  [/ is greater than the maximum of (.+)$/, m => `must be at most ${m[1]}`],
  [/ is less than the minimum of (.+)$/, m => `must be at least ${m[1]}`],
  [/ is not a multiple of (.+)$/, m => `must be a multiple of ${m[1]}`],
  [/ is not one of (.+)$/, m => `must be one of ${fromPython(m[1])}`],
  [
    / is not of type (.+)$/,
    m => `must be of type ${m[1].split(/,\s*/).map(fromPython).join(' or ')}`,
  ],
  [/ does not match (.+)$/, m => `must match the pattern ${fromPython(m[1])}`],
  [/ is not a (.+)$/, m => `must be a valid ${fromPython(m[1])}`],
  [/ should be non-empty$/, () => 'must not be empty'],
  [/ is expected to be empty$/, () => 'must be empty'],
  [
    / is too short$/,
    (_, keyword, text) => {
      const min = keyword && schemaValue(text, keyword);
      return min ? `must have at least ${unit(keyword, min)}` : 'is too short';
    },
  ],
  [
    / is too long$/,
    (_, keyword, text) => {
      const max = keyword && schemaValue(text, keyword);
      return max ? `must have at most ${unit(keyword, max)}` : 'is too long';
    },
  ],
  [/ has non-unique elements$/, () => 'must not repeat items'],
  [/^(.+) was expected$/, m => `must be ${fromPython(m[1])}`],
  [
    /^(.+) is a required property$/,
    m => `must have the property ${fromPython(m[1])}`,
  ],
  [
    / is not valid under any of the given schemas$/,
    () => 'matches none of the allowed shapes',
  ],
];

/**
 * The param and the reason of an Airflow param refusal, or undefined when the
 * text is not one (any other message).
 * @public
 */
export function parseAirflowParamError(
  text: string,
): AirflowParamError | undefined {
  const match = PARAM_ERROR.exec(text);
  if (!match) return undefined;
  const [, param, message] = match;
  const keyword = FAILED_KEYWORD.exec(text)?.[1];
  for (const [pattern, reason] of RULES) {
    const m = pattern.exec(message.trim());
    if (m) return { param, reason: reason(m, keyword, text) };
  }
  return { param, reason: message.trim() };
}

/**
 * Airflow's param refusal in one line (`top_n: must be at most 100`);
 * any other text is returned as it is.
 * @public
 */
export function readableAirflowParamError(text: string): string {
  const error = parseAirflowParamError(text);
  return error ? `${error.param}: ${error.reason}` : text;
}
