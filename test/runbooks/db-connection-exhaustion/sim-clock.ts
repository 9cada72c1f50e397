import { vi } from 'vitest';

/** 18:00:20 UTC: twenty seconds into a minute, so no minute boundary passes while a test runs in real time. */
export const T0 = Date.parse('2025-11-24T18:00:20.000Z');

/**
 * A fake clock (Date and timers) standing still at `now` until a test moves it: results are exact to the
 * millisecond, and a flow that waits minutes (a deployment, RDS publishing a minute late) runs in milliseconds
 * through inSimulatedTime. Only for flows whose every wait is a timer: a loop that sleeps on real time and reads
 * Date (Logs Insights polling a query that never completes) would never see its deadline.
 */
export function useSimulatedClock(now = T0): void {
  vi.useFakeTimers({ now, toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
}

/** Advance the fake clock a second at a time until `work` settles (at most `limitMs` of simulated time). */
export async function inSimulatedTime<T>(work: Promise<T>, limitMs = 60 * 60_000): Promise<T> {
  let settled = false;
  work.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let t = 0; !settled && t < limitMs; t += 1000) await vi.advanceTimersByTimeAsync(1000);
  return work;
}
