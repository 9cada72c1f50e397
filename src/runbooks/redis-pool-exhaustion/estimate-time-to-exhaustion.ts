export type TrendDirection = 'rising' | 'stable' | 'falling';

export interface ExhaustionEstimate {
  /** Least-squares slope, clients per minute. */
  slopePerMin: number;
  direction: TrendDirection;
  /** Minutes until maxclients at this slope; 0 when already there; undefined unless rising. */
  minutesToExhaustion: number | undefined;
}

/** Least-squares slope of `points` ([epoch seconds, value]) in value per minute; 0 for fewer than two points. */
export function slopePerMinute(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, [t]) => s + t, 0) / n;
  const my = points.reduce((s, [, v]) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, v] of points) {
    num += (t - mx) * (v - my);
    den += (t - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

/**
 * "Should be relatively stable, not continuously increasing": a slope within ±stableSlopePerMin is stable; a
 * rising one is extrapolated linearly from the last sample to maxclients.
 */
export function estimateTimeToExhaustion(
  points: ReadonlyArray<readonly [number, number]>,
  maxclients: number | undefined,
  stableSlopePerMin: number,
): ExhaustionEstimate {
  const slope = slopePerMinute(points);
  const direction: TrendDirection = slope > stableSlopePerMin ? 'rising' : slope < -stableSlopePerMin ? 'falling' : 'stable';
  const last = points.at(-1)?.[1];
  let minutesToExhaustion: number | undefined;
  if (direction === 'rising' && maxclients !== undefined && last !== undefined) {
    minutesToExhaustion = last >= maxclients ? 0 : (maxclients - last) / slope;
  }
  return { slopePerMin: Math.round(slope * 10) / 10, direction, minutesToExhaustion };
}
