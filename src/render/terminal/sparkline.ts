const BARS = '▁▂▃▄▅▆▇█';

/**
 * A one-line chart of a series. More points than `width` are bucketed by their maximum, because a connection
 * spike is what matters when a pool runs out. The scale starts at 0 (or the minimum, if negative) and reaches the
 * limit when one is given, so a line near the top means "near the limit", not merely "near its own maximum".
 */
export function sparkline(values: readonly number[], opts: { width?: number; limit?: number } = {}): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '';
  const width = Math.max(1, opts.width ?? 40);
  const buckets = bucketMax(finite, width);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(...finite, opts.limit ?? -Infinity);
  const span = hi - lo;
  return buckets
    .map((v) => {
      if (span <= 0) return BARS[0];
      const i = Math.round(((v - lo) / span) * (BARS.length - 1));
      return BARS[Math.min(BARS.length - 1, Math.max(0, i))];
    })
    .join('');
}

function bucketMax(values: number[], width: number): number[] {
  if (values.length <= width) return values;
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * values.length) / width);
    const to = Math.floor(((b + 1) * values.length) / width);
    out.push(Math.max(...values.slice(from, Math.max(to, from + 1))));
  }
  return out;
}

/** `12`, `0.53`, `1234.5` — enough digits to read, no float noise. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toFixed(Math.abs(n) >= 100 ? 1 : 2)));
}

export interface SeriesSummary {
  spark: string;
  /** `min 3 · max 42 · last 42 · limit 50` */
  stats: string;
}

export function summariseSeries(series: { points: Array<[number, number]>; limit?: number }, width = 40): SeriesSummary {
  const values = series.points.map(([, v]) => v).filter((v) => Number.isFinite(v));
  if (values.length === 0) return { spark: '', stats: 'no data points' };
  const parts = [
    `min ${formatNumber(Math.min(...values))}`,
    `max ${formatNumber(Math.max(...values))}`,
    `last ${formatNumber(values[values.length - 1]!)}`,
  ];
  if (series.limit !== undefined) parts.push(`limit ${formatNumber(series.limit)}`);
  return {
    spark: sparkline(values, { width, ...(series.limit !== undefined ? { limit: series.limit } : {}) }),
    stats: `${parts.join(' · ')} (${values.length} points)`,
  };
}
