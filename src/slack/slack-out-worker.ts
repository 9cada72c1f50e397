import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { WebClient, ErrorCode, type WebAPICallError } from '@slack/web-api';
import type { Logger } from 'pino';
import { QUEUE } from '../jobs/queue-names.js';
import type { SlackCall, SlackCallResult } from './slack-call.js';
import { ChannelPacer } from './channel-pacer.js';

/** `ok: false` answers that mean Slack itself is unwell, not that the request is wrong: worth another try. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'team_added_to_org']);

/** Platform errors that a retry cannot fix: bad channel, bad blocks, missing scope. */
function isPermanent(err: WebAPICallError & { data?: { error?: string } }): boolean {
  return err.code === ErrorCode.PlatformError && !TRANSIENT_PLATFORM_ERRORS.has(err.data?.error ?? '');
}

/**
 * Performs queued Slack writes. Slack answers 429 with Retry-After: the whole queue then waits that long (the
 * limit is per method and workspace, so other jobs would only hit it too). 5xx and network errors retry with
 * back-off; platform errors fail at once with Slack's error code.
 */
export function startSlackOutWorker(opts: {
  connection: Redis;
  prefix: string;
  client: WebClient;
  log: Logger;
  concurrency?: number;
  /** Messages per second per channel (Slack: about 1), with a short burst. */
  pace?: { perSecond: number; burst: number };
}): Worker {
  const pacer = new ChannelPacer(opts.connection, opts.prefix, opts.pace?.perSecond ?? 1, opts.pace?.burst ?? 5);
  const worker: Worker = new Worker(
    QUEUE.slackOut,
    async (job: Job<SlackCall>, token?: string): Promise<SlackCallResult> => {
      const channel = newMessageChannel(job.data);
      if (channel) {
        const wait = await pacer.waitMs(channel);
        if (wait > 0) {
          // Park the job instead of sleeping, so this worker slot serves other channels meanwhile.
          await job.moveToDelayed(Date.now() + wait, token);
          throw new DelayedError();
        }
      }
      try {
        return await perform(opts.client, job.data);
      } catch (err) {
        const e = err as WebAPICallError & { retryAfter?: number; statusCode?: number; data?: { error?: string } };
        if (e.code === ErrorCode.RateLimitedError) {
          const waitMs = Math.max(1, e.retryAfter ?? 1) * 1000;
          opts.log.warn({ method: job.data.method, waitMs }, 'slack rate limited; pausing slack-out');
          await worker.rateLimit(waitMs);
          throw Worker.RateLimitError();
        }
        if (isPermanent(e)) {
          throw new UnrecoverableError(`slack ${job.data.method} failed: ${e.data?.error ?? e.message}`);
        }
        throw err;
      }
    },
    // BullMQ honours a manual rateLimit() only on a worker that has a limiter; this one is far above what Slack
    // allows a workspace, so in practice only 429s and the per-channel pacing hold writes back.
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 4, limiter: { max: 100, duration: 1000 } },
  );
  worker.on('failed', (job, err) => opts.log.warn({ method: job?.name, attempts: job?.attemptsMade, err: err.message }, 'slack write failed'));
  return worker;
}

function newMessageChannel(call: SlackCall): string | undefined {
  if (call.method === 'chat.postMessage') return call.args.channel;
  if (call.method === 'files.uploadV2') return call.args.channel_id;
  return undefined;
}

async function perform(client: WebClient, call: SlackCall): Promise<SlackCallResult> {
  switch (call.method) {
    case 'chat.postMessage': {
      const r = await client.chat.postMessage(call.args as Parameters<WebClient['chat']['postMessage']>[0]);
      return { ok: true, ts: r.ts, channel: r.channel };
    }
    case 'chat.update': {
      const r = await client.chat.update(call.args as Parameters<WebClient['chat']['update']>[0]);
      return { ok: true, ts: r.ts, channel: r.channel };
    }
    case 'chat.postEphemeral': {
      await client.chat.postEphemeral(call.args as Parameters<WebClient['chat']['postEphemeral']>[0]);
      return { ok: true };
    }
    case 'files.uploadV2': {
      const { contentBase64, ...rest } = call.args;
      await client.filesUploadV2({ ...rest, file: Buffer.from(contentBase64, 'base64') } as Parameters<WebClient['filesUploadV2']>[0]);
      return { ok: true };
    }
  }
}

export function createSlackWebClient(token: string, slackApiUrl: string): WebClient {
  return new WebClient(token, {
    slackApiUrl,
    // Retries and 429 handling belong to the slack-out queue, where they survive a restart.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}
