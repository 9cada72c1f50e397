import type { Job } from 'bullmq';

/**
 * Job ids double as de-duplication keys, so adding a job whose id already failed is a no-op: the new delivery
 * would be swallowed by the old failure (kept for inspection). A delivery that comes again after a failure is a
 * fresh chance, so the failed job is put back to run with its attempts reset. Finished and running jobs are left
 * alone: for those the id means "already done" or "being done".
 */
export async function reviveIfFailed(jobs: readonly Job[]): Promise<number> {
  let revived = 0;
  await Promise.all(
    jobs.map(async (job) => {
      if ((await job.getState()) !== 'failed') return;
      try {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        revived += 1;
      } catch {
        // Another delivery revived it first.
      }
    }),
  );
  return revived;
}
