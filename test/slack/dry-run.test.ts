import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/start-test-bot.js';
import { blockActionBody, postSigned, slashCommandBody } from '../support/fake-slack.js';
import { waitFor } from '../support/wait-for.js';

describe('DRY_RUN=true', () => {
  let state: PrivateRedis;
  let target: PrivateRedis;
  let t: TestBot;
  const idle: Redis[] = [];

  beforeAll(async () => {
    [state, target] = await Promise.all([startRedis(), startRedis({ maxclients: 30 })]);
    t = await startTestBot({
      stateRedisUrl: state.url,
      env: { DRY_RUN: 'true' },
      catalog: {
        version: 1,
        defaults: { approvals: { approvers: ['U0APPROVER'] } },
        services: {
          'redis-master': {
            runbooks: ['redis-pool-exhaustion'],
            envs: { prod: { channel: 'C0OPS', redis: { url: target.url }, params: { idleSeconds: 1, killIdleAfterSeconds: 2, trendSamples: 2, trendIntervalMs: 200 } } },
          },
        },
      },
    });
  });
  afterAll(async () => {
    idle.forEach((c) => c.disconnect());
    await t?.stop();
    await Promise.all([state?.stop(), target?.stop()]);
  });

  it('plans and reports an approved remediation but never executes it', async () => {
    for (let i = 0; i < 20; i++) {
      // No reconnects: a killed connection would stay dead and fail its PING below.
      const c = new Redis(target.url, { connectionName: `idle-${i}`, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      c.on('error', () => {});
      await c.ping();
      idle.push(c);
    }
    await new Promise((r) => setTimeout(r, 2600));
    await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check redis-master prod', user_id: 'U0REQ', channel_id: 'C0OPS' }));
    const root = await waitFor('root', () => t.slack.roots('C0OPS')[0]);
    const proposal = await waitFor('kill proposal', () =>
      t.slack.threadReplies('C0OPS', root.ts).find((m) => /kill/i.test(JSON.stringify(m.blocks)) && JSON.stringify(m.blocks).includes('remediation.approve')),
    30_000);
    expect(JSON.stringify(proposal.blocks)).toMatch(/DRY.?RUN|dry run/i);
    const elements = (proposal.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    const value = elements.find((e) => e.action_id === 'remediation.approve')?.value;
    expect(value).toBeTruthy();
    await postSigned(t.eventsUrl, SIGNING_SECRET, blockActionBody({ user_id: 'U0APPROVER', channel_id: 'C0OPS', message_ts: proposal.ts, action_id: 'remediation.approve', value: value! }));
    const outcome = await waitFor('dry-run outcome', () => t.slack.threadReplies('C0OPS', root.ts).find((m) => /but not executed \(DRY_RUN\)/.test(JSON.stringify(m.blocks))), 30_000);
    expect(outcome).toBeTruthy();
    // Every leaked connection is still there.
    const alive = await Promise.all(idle.map((c) => c.ping().then(() => true, () => false)));
    expect(alive.every(Boolean)).toBe(true);
    const audit = await t.bot.runtime.audit.recent(100);
    expect(audit.find((a) => a.event === 'remediation.executed')?.dryRun).toBe('true');
  });
});
