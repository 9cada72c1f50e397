/**
 * The last `minutes` whole minutes. CloudWatch answers fastest and most predictably when the range aligns with
 * the period, and the minute in progress holds only part of its samples (a dip that is not real).
 */
export function minuteWindow(minutes: number, now = Date.now()): { start: Date; end: Date } {
  const end = Math.floor(now / 60_000) * 60_000;
  return { start: new Date(end - minutes * 60_000), end: new Date(end) };
}
