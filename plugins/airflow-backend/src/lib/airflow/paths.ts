import { InputError } from '@backstage/errors';

/**
 * Tagged template that encodes every interpolated value as one path segment,
 * exactly once: `` encodePath`/dags/${dagId}/dagRuns/${runId}` ``.
 *
 * @throws InputError for `~`, `.` or `..` as a value: Airflow reads a `~`
 *   segment as "every DAG/run", and `.`/`..` would be normalised away.
 */
export function encodePath(
  strings: TemplateStringsArray,
  ...values: string[]
): string {
  let out = strings[0];
  values.forEach((value, i) => {
    if (value === '~' || value === '.' || value === '..') {
      throw new InputError(`'${value}' is not a valid id in an Airflow path`);
    }
    out += encodeURIComponent(value) + strings[i + 1];
  });
  return out;
}
