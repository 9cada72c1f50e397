import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE } from '../jobs/queue-names.js';
import { reviveIfFailed } from '../jobs/revive-failed.js';
import type { SlackCall, SlackCallResult } from './slack-call.js';

const WAIT_MS = 120_000;

/**
 * Every Slack write goes through the slack-out queue, so pacing, 429 back-off and retries live in one place.
 * Callers that need order (a thread) or a ts await the result; each awaited write finishes before the next starts.
 */
export class SlackOutbox {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly connection: Redis,
    prefix: string,
  ) {
    this.queue = new Queue(QUEUE.slackOut, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 6,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 3600, count: 5000 },
        removeOnFail: { age: 24 * 3600 },
      },
    });
    this.events = new QueueEvents(QUEUE.slackOut, { connection, prefix });
    // Every concurrent send waits on these emitters; dozens at once during an alert storm is normal.
    this.queue.setMaxListeners(0);
    this.events.setMaxListeners(0);
  }

  onError(listener: (err: Error) => void): void {
    this.queue.on('error', listener);
    this.events.on('error', listener);
  }

  private whenReady(): Promise<void> {
    this.ready ??= this.events.waitUntilReady().then(() => undefined);
    return this.ready;
  }

  /** Queue a write and wait for Slack's answer. `dedupeKey` makes a retried producer not post twice. */
  async send(call: SlackCall, dedupeKey?: string): Promise<SlackCallResult> {
    await this.whenReady();
    const job = await this.queue.add(call.method, call, dedupeKey ? { jobId: dedupeKey } : {});
    // A producer retrying after Slack was down for longer than our retries must get a new try, not the old failure.
    if (dedupeKey) await reviveIfFailed(this.connection, this.queue, [job], () => call);
    const state = await job.getState();
    if (state === 'completed') return (await this.queue.getJob(job.id!))?.returnvalue as SlackCallResult;
    return (await job.waitUntilFinished(this.events, WAIT_MS)) as SlackCallResult;
  }

  /** Queue a write without waiting (an ephemeral refusal, a fire-and-forget notice). */
  async enqueue(call: SlackCall, dedupeKey?: string): Promise<void> {
    const job = await this.queue.add(call.method, call, dedupeKey ? { jobId: dedupeKey } : {});
    if (dedupeKey) await reviveIfFailed(this.connection, this.queue, [job], () => call);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}
