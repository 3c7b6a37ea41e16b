/** Summaries and the printed table. */

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}
export const median = (v: number[]) => {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface Row {
  target: string;
  metric: string;
  unit: string;
  /** One value per repeat. */
  values: number[];
  /** What the issue asks, in words (e.g. "≤ 3"). */
  goal?: string;
  /** Whether the median meets the goal, when it can be judged. */
  met?: boolean;
  note?: string;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  const a = Math.abs(n);
  if (a >= 1000) return n.toFixed(0);
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function summarize(r: Row) {
  const v = r.values.filter(Number.isFinite);
  return {
    min: v.length ? Math.min(...v) : NaN,
    median: median(v),
    max: v.length ? Math.max(...v) : NaN,
    n: v.length,
  };
}

/** A Markdown table (it reads as plain text too). */
export function table(rows: Row[]): string {
  const head = [
    'target',
    'metric',
    'n',
    'min',
    'median',
    'max',
    'unit',
    'goal',
    'met',
  ];
  const lines = [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
  ];
  for (const r of rows) {
    const s = summarize(r);
    const met = r.met === undefined ? '' : r.met ? 'yes' : 'NO';
    lines.push(
      `| ${[
        r.target,
        r.metric + (r.note ? ` (${r.note})` : ''),
        String(s.n),
        fmt(s.min),
        fmt(s.median),
        fmt(s.max),
        r.unit,
        r.goal ?? '',
        met,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
