import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/start-test-bot.js';
import { blockActionBody, postSigned, slashCommandBody } from '../support/fake-slack.js';
import { waitFor } from '../support/wait-for.js';

const CHANNEL = 'C0OPS';
const REQUESTER = 'U0REQUESTER';
const APPROVER = 'U0APPROVER';
const GROUP_MEMBER = 'U0GROUPIE';
const STRANGER = 'U0STRANGER';

function catalogFor(targetUrl: string) {
  const params = { idleSeconds: 1, killIdleAfterSeconds: 2, trendSamples: 2, trendIntervalMs: 200 };
  return {
    version: 1,
    defaults: { channel: 'C0DEFAULT', approvals: { approvers: [APPROVER, 'S0ONCALL'], selfApprove: false, required: 1, expiresAfter: '15m' } },
    services: {
      'redis-master': {
        runbooks: ['redis-pool-exhaustion'],
        envs: {
          prod: { channel: CHANNEL, redis: { url: targetUrl }, params },
          staging: { channel: CHANNEL, redis: { url: targetUrl }, params, approvals: { expiresAfter: '1s' } },
        },
      },
    },
  };
}

interface Button {
  action_id: string;
  value?: string;
}

function buttonsOf(blocks: unknown[]): Button[] {
  const out: Button[] = [];
  for (const b of blocks as Array<{ type: string; elements?: Button[] }>) {
    if (b.type === 'actions') out.push(...(b.elements ?? []).filter((e) => e.action_id));
  }
  return out;
}

describe('/conn check through the real Bolt receiver and a fake Slack Web API', () => {
  let state: PrivateRedis;
  let target: PrivateRedis;
  let t: TestBot;
  const leaked: Redis[] = [];

  beforeAll(async () => {
    [state, target] = await Promise.all([startRedis(), startRedis({ maxclients: 40 })]);
    t = await startTestBot({ stateRedisUrl: state.url, catalog: catalogFor(target.url) });
    t.slack.userGroups.set('S0ONCALL', [GROUP_MEMBER, REQUESTER]);
  });

  afterAll(async () => {
    for (const c of leaked) c.disconnect();
    await t?.stop();
    await Promise.all([state?.stop(), target?.stop()]);
  });

  async function leak(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      // An abandoned connection: nothing reconnects it once Redis closes it.
      const c = new Redis(target.url, { connectionName: `leaky-${i}`, retryStrategy: () => null });
      c.on('error', () => {});
      await c.ping();
      leaked.push(c);
    }
  }

  async function slash(text: string, user = REQUESTER) {
    const res = await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text, user_id: user, channel_id: CHANNEL }));
    expect(res.status).toBe(200);
    return (await res.json()) as { response_type?: string; text?: string };
  }

  async function click(user: string, messageTs: string, actionId: string, value: string) {
    const res = await postSigned(t.eventsUrl, SIGNING_SECRET, blockActionBody({ user_id: user, channel_id: CHANNEL, message_ts: messageTs, action_id: actionId, value }));
    expect(res.status).toBe(200);
  }

  /** Run a check and return the thread root plus the kill-idle proposal message. */
  async function checkAndFindKillProposal(env: string) {
    const before = new Set(t.slack.roots(CHANNEL).map((m) => m.ts));
    const ack = await slash(`check redis-master ${env}`);
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toMatch(/Running/);
    const root = await waitFor('root message', () => t.slack.roots(CHANNEL).find((m) => !before.has(m.ts)));
    expect(root.text).toContain('redis-master');
    const proposal = await waitFor('kill-idle proposal with buttons', () =>
      t.slack.threadReplies(CHANNEL, root.ts).find((m) => buttonsOf(m.blocks).some((b) => b.action_id.startsWith('remediation.approve')) && /idle/i.test(m.text + JSON.stringify(m.blocks)) && /kill/i.test(JSON.stringify(m.blocks))),
    30_000);
    const approve = buttonsOf(proposal.blocks).find((b) => b.action_id.startsWith('remediation.approve'))!;
    const dismiss = buttonsOf(proposal.blocks).find((b) => b.action_id === 'remediation.dismiss')!;
    expect(approve.value).toBeTruthy();
    expect(dismiss.value).toBe(approve.value);
    return { root, proposal, pendingId: approve.value! };
  }

  it('answers bad grammar and unknown names at once, ephemeral, with the closest match', async () => {
    const unknown = await slash('check redis-mastr prod');
    expect(unknown.response_type).toBe('ephemeral');
    expect(unknown.text).toContain('redis-master');
    expect(unknown.text).toMatch(/did you mean/);
    const badEnv = await slash('check redis-master prd');
    expect(badEnv.text).toMatch(/prod/);
    const bad = await slash('restart everything');
    expect(bad.text).toMatch(/unknown subcommand/);
  });

  it('rejects a forged signature with 401, an oversized body with 413, and starts nothing', async () => {
    const rootsBefore = t.slack.roots().length;
    const res = await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check redis-master prod', user_id: REQUESTER, channel_id: CHANNEL }), { forge: true });
    expect(res.status).toBe(401);
    const huge = await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: `check redis-master prod ${'x'.repeat(1024 * 1024)}`, user_id: REQUESTER, channel_id: CHANNEL }));
    expect(huge.status).toBe(413);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.slack.roots().length).toBe(rootsBefore);
  });

  it('posts the report in a thread, refuses strangers and self-approval, and executes a double-clicked approval once', async () => {
    await leak(24);
    await new Promise((r) => setTimeout(r, 2600));
    const { root, proposal, pendingId } = await checkAndFindKillProposal('prod');
    const replies = t.slack.threadReplies(CHANNEL, root.ts);
    expect(replies.some((m) => /connected|maxclients/i.test(JSON.stringify(m.blocks)))).toBe(true);
    // Progress was shown and then replaced by the report.
    expect(t.slack.callsOf('chat.update').length).toBeGreaterThan(0);

    const ephemeralsBefore = t.slack.ephemerals.length;
    await click(STRANGER, proposal.ts, 'remediation.approve', pendingId);
    await waitFor('refusal for a stranger', () => t.slack.ephemerals.slice(ephemeralsBefore).find((e) => e.user === STRANGER && /not an approver/.test(e.text)));
    await click(REQUESTER, proposal.ts, 'remediation.approve', pendingId);
    await waitFor('refusal for self-approval', () => t.slack.ephemerals.find((e) => e.user === REQUESTER && /your own request/.test(e.text)));
    expect((await t.bot.runtime.pending.state(pendingId))?.status).toBe('pending');

    const clientsBefore = await clientCount(target.url);
    await Promise.all([
      click(GROUP_MEMBER, proposal.ts, 'remediation.approve', pendingId),
      click(GROUP_MEMBER, proposal.ts, 'remediation.approve', pendingId),
      click(APPROVER, proposal.ts, 'remediation.approve', pendingId),
    ]);
    const outcome = await waitFor('outcome message', () => t.slack.threadReplies(CHANNEL, root.ts).find((m) => /^Kill idle client connections: (verified|not verified)$/.test(m.text)), 30_000);
    expect(outcome.text).toBe('Kill idle client connections: verified');
    await waitFor('status done', async () => ((await t.bot.runtime.pending.state(pendingId))?.status === 'done' ? true : undefined));
    const audit = await t.bot.runtime.audit.recent(500);
    expect(audit.filter((a) => a.event === 'remediation.executed' && a.pendingId === pendingId)).toHaveLength(1);
    expect(audit.filter((a) => a.event === 'remediation.approved' && a.pendingId === pendingId)).toHaveLength(1);
    expect(audit.some((a) => a.event === 'remediation.refused' && a.user === STRANGER)).toBe(true);
    // The buttons are gone, replaced by who approved.
    const updated = t.slack.messages.get(proposal.ts)!;
    expect(buttonsOf(updated.blocks)).toHaveLength(0);
    expect(updated.text + JSON.stringify(updated.blocks)).toMatch(/Approved by/);
    expect(await clientCount(target.url)).toBeLessThan(clientsBefore - 10);

    // A late click changes nothing.
    const n = t.slack.ephemerals.length;
    await click(APPROVER, proposal.ts, 'remediation.approve', pendingId);
    await waitFor('already-decided notice', () => t.slack.ephemerals.slice(n).find((e) => e.user === APPROVER));
    expect((await t.bot.runtime.audit.recent(500)).filter((a) => a.event === 'remediation.executed' && a.pendingId === pendingId)).toHaveLength(1);
  });

  it('refuses an expired button and says so', async () => {
    await leak(10);
    await new Promise((r) => setTimeout(r, 2600));
    const { proposal, pendingId } = await checkAndFindKillProposal('staging');
    await new Promise((r) => setTimeout(r, 1200));
    const n = t.slack.ephemerals.length;
    await click(APPROVER, proposal.ts, 'remediation.approve', pendingId);
    await waitFor('expiry refusal', () => t.slack.ephemerals.slice(n).find((e) => /expired/.test(e.text)));
    expect((await t.bot.runtime.pending.state(pendingId))?.status).toBe('expired');
    // The buttons were replaced when the plan expired, without anyone clicking.
    await waitFor('buttons replaced by expiry', () => buttonsOf(t.slack.messages.get(proposal.ts)!.blocks).length === 0);
    expect(JSON.stringify(t.slack.messages.get(proposal.ts)!.blocks)).toMatch(/[Ee]xpired/);
    const audit = await t.bot.runtime.audit.recent(500);
    expect(audit.some((a) => a.event === 'remediation.executed' && a.pendingId === pendingId)).toBe(false);
  });

  it('ignores an unknown pending id', async () => {
    const n = t.slack.ephemerals.length;
    await click(APPROVER, '1700000000.000001', 'remediation.approve', 'doesnotexist123');
    await waitFor('unknown notice', () => t.slack.ephemerals.slice(n).find((e) => /unknown or has expired/.test(e.text)));
  });
});

async function clientCount(url: string): Promise<number> {
  const c = new Redis(url);
  try {
    const info = await c.info('clients');
    return Number(/connected_clients:(\d+)/.exec(info)?.[1]);
  } finally {
    c.disconnect();
  }
}
