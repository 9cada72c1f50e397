import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/schema.js';
import type { Env } from '../config/env.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { PendingRemediations } from '../approvals/pending-remediations.js';
import type { SlackOutbox } from '../slack/slack-outbox.js';
import type { StateKeys } from '../state/keys.js';
import type { ConnbotMetrics } from '../web/metrics.js';
import type { DiagnoseJob, ExpireJob, RemediateJob } from '../jobs/queue-names.js';
import type { AlertJob } from '../incidents/alert-jobs.js';

/** What the web and worker roles share: config, state and the queues. Built once in create-runtime.ts. */
export interface Runtime {
  env: Env;
  catalog: Catalog;
  log: Logger;
  /** connbot's state store (not a diagnosed Redis). */
  redis: Redis;
  keys: StateKeys;
  pending: PendingRemediations;
  audit: AuditLog;
  outbox: SlackOutbox;
  metrics: ConnbotMetrics;
  diagnoseQueue: Queue<DiagnoseJob>;
  remediateQueue: Queue<RemediateJob | ExpireJob>;
  alertQueue: Queue<AlertJob>;
}
