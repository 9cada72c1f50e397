import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Job ids double as de-duplication keys, so adding a job whose id already failed is a no-op: the new delivery
 * would be swallowed by the old failure (kept for inspection). A delivery that comes again after a failure is a
 * fresh chance, so the failed job is put back to run with its attempts reset. Finished and running jobs are left
 * alone: for those the id means "already done" or "being done". One round trip finds the failed ones however many
 * jobs a delivery carried (an Alertmanager group can hold hundreds).
 */
export async function reviveIfFailed<T>(
  redis: Redis,
  queue: Pick<Queue, 'keys'>,
  jobs: ReadonlyArray<Job<T>>,
  /** The data of the delivery that came again: a revived job runs with it, not with the failed attempt's. */
  freshData?: (index: number) => T,
): Promise<number> {
  if (jobs.length === 0) return 0;
  const lookup = redis.pipeline();
  for (const job of jobs) lookup.zscore(queue.keys.failed!, job.id!);
  const scores = (await lookup.exec()) ?? [];
  const failed = jobs.map((job, i) => ({ job, i })).filter(({ i }) => scores[i]?.[1] !== null && scores[i]?.[1] !== undefined);
  let revived = 0;
  await Promise.all(
    failed.map(async ({ job, i }) => {
      try {
        if (freshData) await job.updateData(freshData(i));
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        revived += 1;
      } catch {
        // Another delivery revived it first.
      }
    }),
  );
  return revived;
}
