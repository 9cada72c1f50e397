import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/schema.js';
import type { Env } from '../config/env.js';
import { ConfigError } from '../errors.js';
import { AuditLog } from '../audit/audit-log.js';
import { PendingRemediations } from '../approvals/pending-remediations.js';
import { ApproverDirectory } from '../approvals/approver-directory.js';
import { QUEUE, type DiagnoseJob, type ExpireJob, type RemediateJob } from '../jobs/queue-names.js';
import { processDiagnoseJob } from '../jobs/diagnose-job.js';
import { processRemediateJob } from '../jobs/remediate-job.js';
import type { AlertJob } from '../incidents/alert-jobs.js';
import { processAlertJob } from '../incidents/process-alert-job.js';
import { createBoltApp, type BoltApp } from '../slack/bolt-app.js';
import { registerConnCommand } from '../slack/commands.js';
import { registerRemediationActions } from '../slack/actions.js';
import { SlackOutbox } from '../slack/slack-outbox.js';
import { createSlackWebClient, startSlackOutWorker } from '../slack/slack-out-worker.js';
import { connectStateRedis, lostConnection } from '../state/redis-connection.js';
import { StateKeys } from '../state/keys.js';
import { createWebServer, type RouteHandler } from '../web/http-server.js';
import { ConnbotMetrics } from '../web/metrics.js';
import type { Runtime } from './runtime.js';

export interface ConnbotInstance {
  runtime: Runtime;
  /** http://host:port: the web role's endpoints, or a worker's health and metrics. */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  env: Env;
  catalog: Catalog;
  log: Logger;
  /** Extra webhook routes (alert endpoints register here). */
  webhooks?: (rt: Runtime) => Map<string, RouteHandler>;
  /** How long SIGTERM waits for running jobs. */
  drainMs?: number;
  collectDefaultMetrics?: boolean;
}

async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** While Redis is down every reconnect attempt errors; one line per source every 10 s is enough to act on. */
function throttledErrorLog(log: Logger): (source: string, err: Error) => void {
  const last = new Map<string, number>();
  return (source, err) => {
    const now = Date.now();
    if (now - (last.get(source) ?? 0) < 10_000) return;
    last.set(source, now);
    log.warn({ source, err: err.message }, 'queue connection error');
  };
}

/**
 * Remediations spend their time waiting (a rollout, a settle, a datapoint), one per target at most (the target
 * lock): enough slots that fixes on several services at once, and plan expiries, do not queue behind each other.
 */
const REMEDIATE_CONCURRENCY = 8;

/** What env and catalog only get wrong together: an alert endpoint with nowhere to post what matches no service. */
export function deploymentProblems(env: Env, catalog: Catalog): string[] {
  const webhooks = [env.ALERTMANAGER_TOKEN ? 'ALERTMANAGER_TOKEN' : '', env.SNS_TOPIC_ARNS.length ? 'SNS_TOPIC_ARNS' : ''].filter(Boolean);
  if (webhooks.length && !catalog.defaults?.channel) {
    return [`defaults.channel: required in the catalog when ${webhooks.join(' or ')} is set (alerts that match no service are posted there)`];
  }
  return [];
}

/** Start the roles ROLE asks for, sharing one Runtime. */
export async function startConnbot(opts: StartOptions): Promise<ConnbotInstance> {
  const { env, catalog, log } = opts;
  const problems = deploymentProblems(env, catalog);
  if (problems.length) throw new ConfigError(problems);
  const prefix = env.REDIS_PREFIX;
  const redis = connectStateRedis(env.REDIS_URL);
  const keys = new StateKeys(prefix);
  const metrics = new ConnbotMetrics(opts.collectDefaultMetrics ?? true);
  const outbox = new SlackOutbox(redis, prefix);
  const diagnoseQueue = new Queue<DiagnoseJob>(QUEUE.diagnose, {
    connection: redis,
    prefix,
    defaultJobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 2000 }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
  });
  const remediateQueue = new Queue<RemediateJob | ExpireJob>(QUEUE.remediate, {
    connection: redis,
    prefix,
    defaultJobOptions: { attempts: 1, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
  });
  const alertQueue = new Queue<AlertJob>(QUEUE.alert, {
    connection: redis,
    prefix,
    // Retention doubles as delivery de-duplication: a retried delivery within 10 minutes has the same job id.
    defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 600 }, removeOnFail: { age: 7 * 24 * 3600 } },
  });
  const runtime: Runtime = {
    env,
    catalog,
    log,
    redis,
    keys,
    pending: new PendingRemediations(redis, keys),
    audit: new AuditLog(redis, keys),
    outbox,
    metrics,
    diagnoseQueue,
    remediateQueue,
    alertQueue,
  };

  const workers: Worker[] = [];
  // Writes to Slack: it stops last, because the jobs that finish during the drain still post their results.
  let slackOut: Worker | undefined;
  let bolt: BoltApp | undefined;
  const runsWeb = env.ROLE === 'all' || env.ROLE === 'web';
  const runsWorker = env.ROLE === 'all' || env.ROLE === 'worker';

  if (runsWorker) {
    const client = createSlackWebClient(env.SLACK_BOT_TOKEN ?? '', env.SLACK_API_URL);
    slackOut = startSlackOutWorker({ connection: redis, prefix, client, log });
    workers.push(
      new Worker<DiagnoseJob>(QUEUE.diagnose, (job) => processDiagnoseJob(runtime, job), { connection: redis, prefix, concurrency: 8 }),
      new Worker<RemediateJob | ExpireJob>(QUEUE.remediate, (job) => processRemediateJob(runtime, job), { connection: redis, prefix, concurrency: REMEDIATE_CONCURRENCY }),
      new Worker<AlertJob>(QUEUE.alert, (job) => processAlertJob(runtime, job), { connection: redis, prefix, concurrency: 64 }),
    );
    for (const w of workers) w.on('failed', (job, err) => log.error({ queue: w.name, jobId: job?.id, err: err.message }, 'job failed'));
  }
  const allWorkers = () => [...workers, ...(slackOut ? [slackOut] : [])];
  /** A start that failed half way lets go of what it opened, so the process can exit with the reason. */
  const abandon = async (listening?: Server) => {
    if (listening) {
      listening.closeAllConnections();
      await bounded(new Promise<void>((r) => listening.close(() => r())), 1000);
    }
    await Promise.allSettled([outbox.close(), diagnoseQueue.close(), remediateQueue.close(), alertQueue.close(), ...allWorkers().map((w) => w.close(true))]);
    redis.disconnect();
  };

  if (runsWeb) {
    bolt = createBoltApp(env, log);
    registerConnCommand(bolt.app, runtime);
    registerRemediationActions(bolt.app, runtime, new ApproverDirectory(bolt.app.client, redis, keys));
    bolt.app.error(async (err) => void log.error({ err: err.message }, 'slack handler failed'));
    try {
      await bolt.init();
    } catch (err) {
      await abandon();
      throw err;
    }
  }
  // A worker-only process still serves /healthz, /readyz and /metrics, so probes and scraping work for it too.
  const server: Server = createWebServer({
    routes: {
      ...(bolt?.requestListener ? { slack: bolt.requestListener } : {}),
      webhooks: runsWeb ? (opts.webhooks?.(runtime) ?? new Map()) : new Map(),
    },
    redis,
    metrics,
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  try {
    await bolt?.start();
  } catch (err) {
    await abandon(server);
    throw err;
  }
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
  log.info({ url, role: env.ROLE }, 'connbot listening');

  const reportError = throttledErrorLog(log);
  for (const w of allWorkers()) w.on('error', (err) => reportError(`worker ${w.name}`, err));
  for (const q of [diagnoseQueue, remediateQueue, alertQueue] as Queue[]) q.on('error', (err) => reportError(`queue ${q.name}`, err));
  outbox.onError((err) => reportError('slack-out events', err));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop taking work first, then let running jobs finish (bounded), then drop connections. Every step is
      // bounded: with Redis gone, BullMQ's close would otherwise wait for a reconnect that never comes.
      // Requests already being handled (a slash command mid-enqueue) get a moment to answer.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await bounded(closed, 3000);
      server.closeAllConnections();
      await bounded(bolt?.stop() ?? Promise.resolve(), 2000);
      // Diagnoses, remediations and alerts finish while Slack writes still flow: their reports are posted. With
      // Redis gone nothing can finish, so there is nothing to wait for: the whole stop stays within a few seconds
      // instead of every bound in turn (Kubernetes' grace period is 30 s).
      const redisLost = lostConnection(redis);
      await bounded(Promise.allSettled(workers.map((w) => w.close())), redisLost ? 1000 : (opts.drainMs ?? 25_000));
      await bounded(Promise.allSettled(workers.map((w) => w.close(true))), redisLost ? 500 : 2000);
      await bounded(slackOut?.close() ?? Promise.resolve(), redisLost ? 500 : 5000);
      await bounded(slackOut?.close(true) ?? Promise.resolve(), 2000);
      await bounded(Promise.allSettled([diagnoseQueue.close(), remediateQueue.close(), alertQueue.close(), outbox.close()]), 2000);
      await bounded(redis.quit(), 1000);
      redis.disconnect();
    })());
  return { runtime, url, close };
}
