import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/start-test-bot.js';
import { blockActionBody, postSigned, slashCommandBody } from '../support/fake-slack.js';
import { waitFor } from '../support/wait-for.js';
import { FakeGoldenPath, PNG, mocks } from '../runbooks/db-connection-exhaustion/fake-golden-path.js';
import { catalogDoc, leakState, overloadState } from '../runbooks/db-connection-exhaustion/scenarios.js';

const CHANNEL = 'C0GOLDEN';
const REQUESTER = 'U0REQUESTER';
const APPROVER = 'U0APPROVER';
/** The outcome message's notification text: "<plan title>: verified" and its siblings. */
const OUTCOME = /: (verified|not verified|failed|done)$/;

interface Element {
  type: string;
  action_id?: string;
  value?: string;
  options?: Array<{ value: string }>;
}

function elementsOf(blocks: unknown[]): Element[] {
  return (blocks as Array<{ type: string; elements?: Element[] }>).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

function catalog() {
  const doc = catalogDoc({ roleArn: null }) as { services: Record<string, { envs: Record<string, { params: Record<string, unknown> }> }> };
  doc.services['golden-path']!.envs.prod!.params.verifySettleSeconds = 0;
  return { ...doc, defaults: { approvals: { approvers: [APPROVER], expiresAfter: '15m' }, cooldown: '10m' } };
}

describe('/conn check golden-path prod: AWS diagnosis, chart, approval-gated ECS/SSM changes', () => {
  let state: PrivateRedis;
  let t: TestBot;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIATESTTESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test' });
    state = await startRedis();
    t = await startTestBot({ stateRedisUrl: state.url, catalog: catalog() });
  });
  afterAll(async () => {
    await t?.stop();
    await state?.stop();
    process.env = savedEnv;
  });

  async function check() {
    const before = new Set(t.slack.roots(CHANNEL).map((m) => m.ts));
    const res = await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check golden-path prod', user_id: REQUESTER, channel_id: 'C0OPS' }));
    expect(res.status).toBe(200);
    const root = await waitFor('root in the env channel', () => t.slack.roots(CHANNEL).find((m) => !before.has(m.ts)));
    await waitFor('final root status', () => /CRIT|WARN|OK/.test(t.slack.messages.get(root.ts)!.text), 30_000);
    return root;
  }

  function proposal(rootTs: string, remediation: string) {
    return t.slack.threadReplies(CHANNEL, rootTs).find((m) => elementsOf(m.blocks).length > 0 && JSON.stringify(m.blocks).includes(remediation));
  }

  async function click(messageTs: string, actionId: string, value: string, selected?: string) {
    const body = blockActionBody({ user_id: APPROVER, channel_id: CHANNEL, message_ts: messageTs, action_id: actionId, value, ...(selected ? { selected } : {}) });
    expect((await postSigned(t.eventsUrl, SIGNING_SECRET, body)).status).toBe(200);
  }

  it('reports the leak with evidence, uploads the chart, and resets the failure mode once after approval', async () => {
    const fake = new FakeGoldenPath(leakState());
    fake.install();
    const root = await check();
    const thread = t.slack.threadReplies(CHANNEL, root.ts);
    const text = JSON.stringify(thread.map((m) => m.blocks));
    expect(text).toContain('aws cloudwatch get-metric-statistics');
    expect(text).toContain('connection_leak');
    const upload = await waitFor('chart uploaded into the thread', () => t.slack.uploads.find((u) => u.thread_ts === root.ts));
    expect(upload.bytes).toBe(PNG.length);
    expect(upload.filename).toMatch(/\.png$/);

    const reset = await waitFor('reset-failure-mode proposal', () => proposal(root.ts, 'failure'));
    const approve = elementsOf(reset.blocks).find((e) => e.action_id === 'remediation.approve')!;
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);

    await Promise.all([click(reset.ts, approve.action_id!, approve.value!), click(reset.ts, approve.action_id!, approve.value!)]);
    await waitFor('outcome in the thread', () => t.slack.threadReplies(CHANNEL, root.ts).find((m) => OUTCOME.test(m.text)), 30_000);
    const puts = mocks.ssm.commandCalls(PutParameterCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.args[0].input).toMatchObject({ Name: '/golden/failure_mode', Value: 'none', Overwrite: true });
    const updates = mocks.ecs.commandCalls(UpdateServiceCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({ cluster: 'golden-path-cluster-prod', service: 'golden-path-service-prod', forceNewDeployment: true });
  });

  it('refuses the same remediation on the same service during the cool-down, with the time left', async () => {
    const fake = new FakeGoldenPath(leakState());
    fake.install();
    const putsBefore = mocks.ssm.commandCalls(PutParameterCommand).length;
    const root = await check();
    const reset = await waitFor('reset-failure-mode proposal', () => proposal(root.ts, 'failure'));
    const approve = elementsOf(reset.blocks).find((e) => e.action_id === 'remediation.approve')!;
    const n = t.slack.ephemerals.length;
    await click(reset.ts, approve.action_id!, approve.value!);
    const refusal = await waitFor('cool-down refusal', () => t.slack.ephemerals.slice(n).find((e) => /cool-down ends in/.test(e.text)));
    expect(refusal.user).toBe(APPROVER);
    expect((await t.bot.runtime.pending.state(approve.value!))?.status).toBe('pending');
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(putsBefore);
  });

  it('lets the approver pick the task count from a bounded menu and scales to exactly that', async () => {
    const scenario = overloadState();
    // Real time here: ECS resizes in a blink, so the outcome is about the pick, not a ten-minute watch.
    scenario.rolloutSeconds = 0.05;
    const fake = new FakeGoldenPath(scenario);
    fake.install();
    const updatesBefore = mocks.ecs.commandCalls(UpdateServiceCommand).length;
    const root = await check();
    const scale = await waitFor('scale proposal with a menu', () =>
      t.slack.threadReplies(CHANNEL, root.ts).find((m) => elementsOf(m.blocks).some((e) => e.action_id === 'remediation.approve.choice')),
    );
    const menu = elementsOf(scale.blocks).find((e) => e.action_id === 'remediation.approve.choice')!;
    const values = menu.options!.map((o) => o.value);
    const pendingId = values[0]!.split('|')[0]!;
    // The plan's default is 6 (the count before the scale-outs): pick another, so losing the pick would show.
    expect(JSON.stringify(scale.blocks)).toContain('from 18 to 6 tasks');
    const pick = values.find((v) => v === `${pendingId}|9`);
    expect(pick).toBeDefined();
    // A value the plan never offered is refused and changes nothing.
    await click(scale.ts, 'remediation.approve.choice', '', `${pendingId}|500`);
    await waitFor('refusal of an unoffered count', () => t.slack.ephemerals.find((e) => /not one of this plan's choices/.test(e.text)));
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(updatesBefore);

    await click(scale.ts, 'remediation.approve.choice', '', pick!);
    await waitFor('scaled', () => mocks.ecs.commandCalls(UpdateServiceCommand).length === updatesBefore + 1, 30_000);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand).slice(updatesBefore).map((c) => c.args[0].input)).toEqual([
      { cluster: 'golden-path-cluster-prod', service: 'golden-path-service-prod', desiredCount: 9 },
    ]);
    expect(fake.state.desired).toBe(9);
    const outcome = await waitFor('outcome in the thread', () => t.slack.threadReplies(CHANNEL, root.ts).find((m) => OUTCOME.test(m.text)), 30_000);
    const shown = JSON.stringify(outcome.blocks);
    expect(shown).toContain('Set desired count of golden-path-service-prod to 9 (was 18)');
    expect(shown).toContain('9/9 running');
    // Seconds after the resize, RDS has published no minute from after it: said so, and not called verified.
    expect(outcome.text).toMatch(/: not verified$/);
    expect(shown).toContain('no post-change datapoint yet');
  });
});
