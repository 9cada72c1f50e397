import type { InstantSeries } from '../../integrations/prometheus/query-result.js';
import type { Status } from '../../domain/finding.js';
import { fmtNumber } from '../shared/evidence.js';

/** `sum(...) by (label)` answers, as a map biggest first; NaN (0/0) counts as nothing. */
export function byLabel(series: readonly InstantSeries[], label: string): { rows: Array<[string, number]>; total: number } {
  const rows = series
    .map((s): [string, number] => [s.labels[label] || '(none)', Number.isFinite(s.sample[1]) ? s.sample[1] : 0])
    .sort((a, b) => b[1] - a[1]);
  return { rows, total: rows.reduce((n, [, v]) => n + v, 0) };
}

export function judge(value: number, warn: number, crit: number): Status {
  if (value >= crit) return 'crit';
  return value >= warn && value > 0 ? 'warn' : 'ok';
}

/** `ping_timeout 2.1/s, client_close 0.4/s` for the top few non-zero rows. */
export function topRates(rows: ReadonlyArray<[string, number]>, n = 3): string {
  return rows
    .filter(([, v]) => v > 0)
    .slice(0, n)
    .map(([k, v]) => `${k} ${fmtNumber(v, 3)}/s`)
    .join(', ');
}
