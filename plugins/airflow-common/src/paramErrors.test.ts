import {
  parseAirflowParamError,
  readableAirflowParamError,
} from './paramErrors';

/** Airflow 3.3.2's answers (`detail`) to triggers of the example `sales_daily_report`, verbatim. */
const AIRFLOW = {
  maximum:
    "Invalid input for param top_n: 500 is greater than the maximum of 100\n\nFailed validating 'maximum' in schema:\n    {'type': 'integer', 'minimum': 1, 'maximum': 100}\n\nOn instance:\n    500",
  enum: "Invalid input for param region: 'mars' is not one of ['emea', 'amer', 'apac']\n\nFailed validating 'enum' in schema:\n    {'type': 'string',\n     'enum': ['emea', 'amer', 'apac'],\n     'values_display': {'emea': 'Europe, Middle East and Africa',\n                        'amer': 'Americas',\n                        'apac': 'Asia-Pacific'}}\n\nOn instance:\n    'mars'",
  minLength:
    "Invalid input for param report_title: 'ab' is too short\n\nFailed validating 'minLength' in schema:\n    {'type': 'string', 'minLength': 3, 'maxLength': 60}\n\nOn instance:\n    'ab'",
  maxLength: `Invalid input for param report_title: '${'x'.repeat(
    70,
  )}' is too long\n\nFailed validating 'maxLength' in schema:\n    {'type': 'string', 'minLength': 3, 'maxLength': 60}\n\nOn instance:\n    '${'x'.repeat(
    70,
  )}'`,
  format:
    "Invalid input for param report_date: '2026-13-45' is not a 'date'\n\nFailed validating 'format' in schema:\n    {'type': ['null', 'string'], 'format': 'date', 'section': 'Advanced'}\n\nOn instance:\n    '2026-13-45'",
  type: "Invalid input for param top_n: 'x' is not of type 'integer'\n\nFailed validating 'type' in schema:\n    {'type': 'integer', 'minimum': 1, 'maximum': 100}\n\nOn instance:\n    'x'",
};

describe('readableAirflowParamError', () => {
  it.each([
    [AIRFLOW.maximum, 'top_n: must be at most 100'],
    [AIRFLOW.enum, 'region: must be one of emea, amer, apac'],
    [AIRFLOW.minLength, 'report_title: must have at least 3 characters'],
    [AIRFLOW.maxLength, 'report_title: must have at most 60 characters'],
    [AIRFLOW.format, 'report_date: must be a valid date'],
    [AIRFLOW.type, 'top_n: must be of type integer'],
  ])(
    'turns Airflow 3.3 refusal %# into one line without the schema dump',
    (text, expected) => {
      expect(readableAirflowParamError(text)).toBe(expected);
    },
  );

  it.each([
    ['7 is less than the minimum of 10', 'n: must be at least 10'],
    [
      '100 is greater than or equal to the maximum of 100',
      'n: must be less than 100',
    ],
    [
      '0 is less than or equal to the minimum of 0',
      'n: must be greater than 0',
    ],
    ['7 is not a multiple of 5', 'n: must be a multiple of 5'],
    ["'' should be non-empty", 'n: must not be empty'],
    ["'x' does not match '^[a-z]{3}$'", 'n: must match the pattern ^[a-z]{3}$'],
    [
      "None is not of type 'string', 'integer'",
      'n: must be of type string or integer',
    ],
    ["'b' was expected", 'n: must be b'],
    ["'id' is a required property", 'n: must have the property id'],
    ['[1, 1] has non-unique elements', 'n: must not repeat items'],
    [
      "'x, y' is not one of ['a, b', None, True]",
      'n: must be one of a, b, null, true',
    ],
  ])(
    'reads the jsonschema message "%s" (Airflow 2 and 3 share it)',
    (message, expected) => {
      expect(
        readableAirflowParamError(`Invalid input for param n: ${message}`),
      ).toBe(expected);
    },
  );

  it('keeps the first line of a message it has no words for', () => {
    expect(
      readableAirflowParamError(
        "Invalid input for param n: {'a': 1} is valid under each of {'type': 'object'}\n\nFailed validating 'oneOf'",
      ),
    ).toBe("n: {'a': 1} is valid under each of {'type': 'object'}");
  });

  it('says only "is too short" when the schema dump was cut off', () => {
    expect(
      readableAirflowParamError(
        "Invalid input for param report_title: 'ab' is too short\n\nFailed validating 'minLength' in sch",
      ),
    ).toBe('report_title: is too short');
  });

  it('counts items for arrays', () => {
    expect(
      readableAirflowParamError(
        "Invalid input for param tags: [] is too short\n\nFailed validating 'minItems' in schema:\n    {'type': 'array', 'minItems': 2}",
      ),
    ).toBe('tags: must have at least 2 items');
  });

  it('leaves any other message as it is', () => {
    const text = "DAG with dag_id: 'nope' not found";
    expect(readableAirflowParamError(text)).toBe(text);
    expect(parseAirflowParamError(text)).toBeUndefined();
  });

  it('names the param and the reason separately', () => {
    expect(parseAirflowParamError(AIRFLOW.maximum)).toEqual({
      param: 'top_n',
      reason: 'must be at most 100',
    });
  });
});
