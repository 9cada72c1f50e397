import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, type TestBot } from '../support/start-test-bot.js';
import { blockActionBody, slashCommandBody } from '../support/fake-slack.js';
import { waitFor } from '../support/wait-for.js';

const CHANNEL = 'C0OPS';
const REQUESTER = 'U0REQUESTER';
const APPROVER = 'U0APPROVER';

const catalogFor = (targetUrl: string) => ({
  version: 1,
  defaults: { channel: 'C0DEFAULT', approvals: { approvers: [APPROVER], selfApprove: false, required: 1, expiresAfter: '15m' } },
  services: {
    'redis-master': {
      runbooks: ['redis-pool-exhaustion'],
      envs: { prod: { channel: CHANNEL, redis: { url: targetUrl }, params: { idleSeconds: 1, killIdleAfterSeconds: 2, trendSamples: 2, trendIntervalMs: 200 } } },
    },
  },
});

/** The same payloads Slack sends over HTTP, as the JSON objects a Socket Mode envelope carries. */
const slashPayload = (text: string, user = REQUESTER) => Object.fromEntries(new URLSearchParams(slashCommandBody({ text, user_id: user, channel_id: CHANNEL })));
const actionPayload = (fields: Parameters<typeof blockActionBody>[0]) =>
  JSON.parse(new URLSearchParams(blockActionBody(fields)).get('payload')!) as Record<string, unknown>;

describe('Socket Mode (SLACK_APP_TOKEN set): the same commands and approvals over a WebSocket', () => {
  let state: PrivateRedis;
  let target: PrivateRedis;
  let t: TestBot;
  const leaked: Redis[] = [];

  beforeAll(async () => {
    [state, target] = await Promise.all([startRedis(), startRedis({ maxclients: 40 })]);
    t = await startTestBot({ stateRedisUrl: state.url, catalog: catalogFor(target.url), env: { SLACK_APP_TOKEN: 'xapp-1-test' } });
    await t.slack.socketConnected();
  });

  afterAll(async () => {
    for (const c of leaked) c.disconnect();
    await t?.stop();
    await Promise.all([state?.stop(), target?.stop()]);
  });

  it('opens its socket with the app token and serves no /slack/events endpoint', async () => {
    expect(t.slack.callsOf('apps.connections.open')).toHaveLength(1);
    const res = await fetch(t.eventsUrl, { method: 'POST', body: 'x' });
    expect(res.status).toBe(404);
  });

  it('answers an unknown service in the ack, with the closest match', async () => {
    const ack = await t.slack.sendEnvelope('slash_commands', slashPayload('check redis-mastr prod'));
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toMatch(/did you mean/);
    expect(ack.text).toContain('redis-master');
  });

  it('runs a check into a thread and executes an approved kill once, even when Slack refuses to relabel the buttons', async () => {
    for (let i = 0; i < 20; i++) {
      const c = new Redis(target.url, { connectionName: `leaky-${i}`, retryStrategy: () => null });
      c.on('error', () => {});
      await c.ping();
      leaked.push(c);
    }
    await new Promise((r) => setTimeout(r, 2600));

    const ack = await t.slack.sendEnvelope('slash_commands', slashPayload('check redis-master prod'));
    expect(ack.text).toMatch(/Running/);
    const root = await waitFor('root message', () => t.slack.roots(CHANNEL)[0]);
    const proposal = await waitFor('kill proposal', () =>
      t.slack.threadReplies(CHANNEL, root.ts).find((m) => JSON.stringify(m.blocks).includes('remediation.approve') && /kill/i.test(JSON.stringify(m.blocks))),
    30_000);
    const approve = (proposal.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value?: string }> }>)
      .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
      .find((e) => e.action_id.startsWith('remediation.approve'))!;

    // Slack refuses the edit that would replace the buttons: the approved run must not depend on it.
    await new Promise((r) => setTimeout(r, 500));
    const updates = t.slack.callsOf('chat.update').length;
    t.slack.failNext('chat.update', { status: 200, error: 'message_not_found' });
    const click = () =>
      t.slack.sendEnvelope('interactive', actionPayload({ user_id: APPROVER, channel_id: CHANNEL, message_ts: proposal.ts, action_id: approve.action_id, value: approve.value! }));
    await Promise.all([click(), click()]);
    const outcome = await waitFor('outcome', () => t.slack.threadReplies(CHANNEL, root.ts).find((m) => /^Kill idle client connections: (verified|not verified)$/.test(m.text)), 30_000);
    expect(outcome.text).toBe('Kill idle client connections: verified');
    expect(t.slack.callsOf('chat.update')[updates]?.args.ts).toBe(proposal.ts);
    const audit = await t.bot.runtime.audit.recent(200);
    expect(audit.filter((a) => a.event === 'remediation.executed' && a.pendingId === approve.value)).toHaveLength(1);
  });
});
