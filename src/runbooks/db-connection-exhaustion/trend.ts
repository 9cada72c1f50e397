export interface LinearTrend {
  /** Change per minute (least squares over all points). */
  slopePerMinute: number;
  /** Goodness of fit, 0..1: how much of the variation the line explains. */
  r2: number;
  points: number;
}

/** Least-squares line through [epoch ms, value] points; undefined with fewer than two distinct times. */
export function linearTrend(points: ReadonlyArray<readonly [number, number]>): LinearTrend | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const t0 = points[0]![0];
  const xs = points.map(([t]) => (t - t0) / 60_000);
  const ys = points.map(([, v]) => v);
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  // A flat series is perfectly explained by a flat line.
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slopePerMinute: slope, r2, points: n };
}

/** Minutes until `limit` at `slopePerMinute` from `current`; undefined when not climbing. */
export function estimateTimeToExhaustion(current: number, limit: number, slopePerMinute: number): number | undefined {
  if (slopePerMinute <= 0) return undefined;
  return Math.max(0, (limit - current) / slopePerMinute);
}

/** Pearson correlation; undefined when either side does not vary (a constant task count explains nothing). */
export function pearson(xs: readonly number[], ys: readonly number[]): number | undefined {
  const n = Math.min(xs.length, ys.length);
  if (n < 3) return undefined;
  const mx = mean(xs.slice(0, n));
  const my = mean(ys.slice(0, n));
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx === 0 || syy === 0) return undefined;
  return sxy / Math.sqrt(sxx * syy);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
