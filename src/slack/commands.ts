import { randomUUID } from 'node:crypto';
import type { App, SlashCommand } from '@slack/bolt';
import type { Runtime } from '../app/runtime.js';
import { resolveTarget } from '../catalog/resolve-target.js';
import { ConnbotError, errorMessage } from '../errors.js';
import { jobId, type DiagnoseJob } from '../jobs/queue-names.js';
import { reportChannel } from '../jobs/diagnose-job.js';
import { escapeMrkdwn } from '../render/slack/mrkdwn.js';
import { lostConnection } from '../state/redis-connection.js';
import { helpMessage, listMessage } from '../render/slack/report-blocks.js';
import { parseConnCommand } from './parse-conn-command.js';

/** Slack wants the ack within 3 s; enqueueing must not eat that budget when Redis is down. */
const ENQUEUE_BUDGET_MS = 2000;

function catalogSummary(rt: Runtime) {
  return Object.entries(rt.catalog.services).map(([name, s]) => ({
    name,
    envs: Object.keys(s.envs),
    runbooks: s.runbooks,
    ...(s.description ? { description: s.description } : {}),
  }));
}

/** `/conn check|list|help`: validate, enqueue, ack — errors come back at once, ephemeral, in the ack. */
export function registerConnCommand(app: App, rt: Runtime): void {
  app.command('/conn', async ({ command, ack }) => {
    const reply = (text: string, blocks?: unknown[]) =>
      ack({ response_type: 'ephemeral', text, ...(blocks ? { blocks: blocks as never } : {}) });
    let parsed;
    try {
      parsed = parseConnCommand(command.text);
    } catch (err) {
      return reply(`:warning: ${escapeMrkdwn(errorMessage(err))}`);
    }
    if (parsed.kind === 'help') {
      const m = helpMessage(catalogSummary(rt));
      return reply(m.text, m.blocks);
    }
    if (parsed.kind === 'list') {
      const m = listMessage(catalogSummary(rt));
      return reply(m.text, m.blocks);
    }
    let resolved;
    try {
      resolved = resolveTarget(rt.catalog, parsed.service, parsed.env, parsed.runbook);
    } catch (err) {
      return reply(`:warning: ${escapeMrkdwn(errorMessage(err))}`);
    }
    const data: DiagnoseJob = {
      runId: randomUUID(),
      service: resolved.service,
      env: resolved.env,
      runbookId: resolved.runbook.id,
      trigger: { kind: 'slash', triggerId: command.trigger_id, userId: command.user_id, channelId: command.channel_id },
    };
    // Redis down: say so at once. The connection would buffer the add and run it after a reconnect, behind the
    // back of someone told that nothing started.
    if (lostConnection(rt.redis)) {
      rt.log.error({ redis: rt.redis.status }, 'cannot enqueue diagnosis: Redis is not connected');
      return reply(':x: connbot cannot reach its job queue right now (Redis). Nothing was started — try again in a minute.');
    }
    try {
      await enqueueDiagnosis(rt, data, command);
    } catch (err) {
      rt.log.error({ err: errorMessage(err) }, 'cannot enqueue diagnosis');
      return reply(
        ':warning: connbot\'s job queue (Redis) did not confirm in time. The check may still start when it answers — look for its thread in a minute before asking again.',
      );
    }
    const channel = reportChannel(rt, data);
    await reply(
      `:mag: Running *${escapeMrkdwn(resolved.runbook.title)}* on *${resolved.service}* / *${resolved.env}*` +
        (channel && channel !== command.channel_id ? ` — the report will be in a thread in <#${channel}>.` : ' — the report follows in a thread.'),
    );
  });
}

async function enqueueDiagnosis(rt: Runtime, data: DiagnoseJob, command: SlashCommand): Promise<void> {
  const add = rt.diagnoseQueue.add('diagnose', data, { jobId: jobId('slash', command.trigger_id) });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnbotError('INTEGRATION_FAILED', 'queue did not answer in time')), ENQUEUE_BUDGET_MS);
  });
  try {
    await Promise.race([add, timeout]);
  } finally {
    clearTimeout(timer);
  }
  await rt.audit
    .append({ event: 'diagnosis.requested', runId: data.runId, service: data.service, env: data.env, runbook: data.runbookId, requestedBy: command.user_id })
    .catch(() => undefined);
}
