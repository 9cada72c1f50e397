import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRemediateJob } from '../../src/jobs/remediate-job.js';
import type { RemediateJob } from '../../src/jobs/queue-names.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/start-test-bot.js';
import { blockActionBody, postSigned, slashCommandBody } from '../support/fake-slack.js';
import { waitFor } from '../support/wait-for.js';

const CHANNEL = 'C0OPS';
const APPROVER = 'U0APPROVER';

describe('remediation runs that change nothing, or never finish', () => {
  let state: PrivateRedis;
  let target: PrivateRedis;
  let t: TestBot;
  const clients: Redis[] = [];

  beforeAll(async () => {
    [state, target] = await Promise.all([startRedis(), startRedis({ maxclients: 40 })]);
    t = await startTestBot({
      stateRedisUrl: state.url,
      catalog: {
        version: 1,
        defaults: { approvals: { approvers: [APPROVER], expiresAfter: '15m' }, cooldown: '10m' },
        services: {
          'redis-master': {
            runbooks: ['redis-pool-exhaustion'],
            envs: { prod: { channel: CHANNEL, redis: { url: target.url }, params: { idleSeconds: 1, killIdleAfterSeconds: 2, trendSamples: 2, trendIntervalMs: 200 } } },
          },
        },
      },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await t?.stop();
    await Promise.all([state?.stop(), target?.stop()]);
  });

  async function killProposal() {
    const before = new Set(t.slack.roots(CHANNEL).map((m) => m.ts));
    await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check redis-master prod', user_id: 'U0ASKER', channel_id: CHANNEL }));
    const root = await waitFor('root', () => t.slack.roots(CHANNEL).find((m) => !before.has(m.ts)));
    const proposal = await waitFor('kill proposal', () =>
      t.slack.threadReplies(CHANNEL, root.ts).find((m) => m.text.includes('Kill idle client connections') && JSON.stringify(m.blocks).includes('remediation.approve')),
    30_000);
    const approve = (proposal.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value?: string }> }>)
      .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
      .find((e) => e.action_id === 'remediation.approve')!;
    return { root, proposal, pendingId: approve.value! };
  }

  it('starts no cool-down when every planned kill was spared, so a fresh plan can run at once', async () => {
    for (let i = 0; i < 6; i++) {
      const c = new Redis(target.url, { connectionName: `worker-${i}` });
      await c.ping();
      clients.push(c);
    }
    await new Promise((r) => setTimeout(r, 2600));
    const { root, proposal, pendingId } = await killProposal();
    // The apps wake up between the plan and the approval: every kill is skipped on its re-check.
    await Promise.all(clients.map((c) => c.ping()));
    const body = blockActionBody({ user_id: APPROVER, channel_id: CHANNEL, message_ts: proposal.ts, action_id: 'remediation.approve', value: pendingId });
    expect((await postSigned(t.eventsUrl, SIGNING_SECRET, body)).status).toBe(200);
    const outcome = await waitFor('outcome', () => t.slack.threadReplies(CHANNEL, root.ts).find((m) => /^Kill idle client connections: (verified|not verified|done|failed)$/.test(m.text)), 30_000);
    expect(JSON.stringify(outcome.blocks)).toMatch(/Killed 0 of 6/);
    const rt = t.bot.runtime;
    expect(await rt.redis.exists(rt.keys.cooldown('kill-idle-clients', `redis://127.0.0.1:${target.port}`))).toBe(0);
    const audit = (await rt.audit.recent(100)).find((a) => a.pendingId === pendingId && a.event === 'remediation.executed');
    expect(audit?.cooldown).toBe('released (nothing changed)');
    expect(clients.every((c) => c.status === 'ready')).toBe(true);
  });

  it('says in the thread when a run was cut off by its worker dying, instead of leaving it "running"', async () => {
    await new Promise((r) => setTimeout(r, 2600));
    const { root, pendingId } = await killProposal();
    const rt = t.bot.runtime;
    // The state a crash leaves: approved, taken by a worker (executing), and BullMQ hands the job out again.
    expect((await rt.pending.claimApproval(pendingId, APPROVER, Date.now(), '')).kind).toBe('approved');
    expect(await rt.pending.transition(pendingId, 'approved', 'executing')).toBe(true);
    const redelivered = { id: `remediate_${pendingId}`, data: { pendingId }, attemptsStarted: 2 } as unknown as Job<RemediateJob>;
    const result = await processRemediateJob(rt, redelivered);
    expect(result.reason).toMatch(/^interrupted: the worker running it stopped/);
    expect((await rt.pending.state(pendingId))?.status).toBe('failed');
    const notice = await waitFor('interruption notice', () => t.slack.threadReplies(CHANNEL, root.ts).find((m) => /was interrupted/.test(m.text)));
    expect(notice.text).toMatch(/Whether its change landed is unknown/);
  });
});
