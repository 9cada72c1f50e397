import { AccessDeniedException, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processRemediateJob } from '../../src/jobs/remediate-job.js';
import type { RemediateJob } from '../../src/jobs/queue-names.js';
import { TargetLock, targetLockHolder } from '../../src/remediation/target-lock.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/start-test-bot.js';
import { blockActionBody, postSigned, slashCommandBody } from '../support/fake-slack.js';
import { waitFor } from '../support/wait-for.js';
import { FakeGoldenPath, mocks } from '../runbooks/db-connection-exhaustion/fake-golden-path.js';
import { catalogDoc, leakState, overloadState } from '../runbooks/db-connection-exhaustion/scenarios.js';

const CHANNEL = 'C0GOLDEN';
const REQUESTER = 'U0REQUESTER';
const APPROVER = 'U0APPROVER';
const APPROVER2 = 'U0SECOND';
const TARGET = 'ecs:us-east-1/golden-path-cluster-prod/golden-path-service-prod';
const WINDOW_MS = 10 * 60_000;
const ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/connbot-diagnostics/connbot';
/** Words only each proposal's message has (the reset's steps mention --force-new-deployment too). */
const RESET = 'Turn off the connection-leak failure mode';
const FORCE = 'Restart the ECS tasks (force a new deployment)';
const OUTCOME = /: (verified|not verified|failed|done|partly done)$/;

interface Element {
  type: string;
  action_id?: string;
  value?: string;
  options?: Array<{ value: string }>;
}

function elementsOf(blocks: unknown[]): Element[] {
  return (blocks as Array<{ type: string; elements?: Element[] }>).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

/** Golden Path with two approvers; the verify settle is 1 s so a run holds its target long enough to race it. */
function catalog(approvals: Record<string, unknown> = {}) {
  const doc = catalogDoc({ roleArn: null }) as { services: Record<string, { envs: Record<string, { params: Record<string, unknown> }> }> };
  doc.services['golden-path']!.envs.prod!.params.verifySettleSeconds = 1;
  return { ...doc, defaults: { approvals: { approvers: [APPROVER, APPROVER2], expiresAfter: '15m', ...approvals }, cooldown: '10m' } };
}

function denied(action: string) {
  return new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: `User: ${ROLE_SESSION} is not authorized to perform: ${action}` });
}

function harness() {
  const h = {
    t: undefined as unknown as TestBot,
    async check() {
      const before = new Set(h.t.slack.roots(CHANNEL).map((m) => m.ts));
      const res = await postSigned(h.t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check golden-path prod', user_id: REQUESTER, channel_id: 'C0OPS' }));
      expect(res.status).toBe(200);
      const root = await waitFor('root in the env channel', () => h.t.slack.roots(CHANNEL).find((m) => !before.has(m.ts)));
      await waitFor('final root status', () => /CRIT|WARN|OK/.test(h.t.slack.messages.get(root.ts)!.text), 30_000);
      return root;
    },
    async proposal(rootTs: string, title: string) {
      const m = await waitFor(`"${title}" proposal`, () =>
        h.t.slack.threadReplies(CHANNEL, rootTs).find((x) => elementsOf(x.blocks).length > 0 && x.text.includes(title)),
      );
      const approve = elementsOf(m.blocks).find((e) => e.action_id?.startsWith('remediation.approve'))!;
      const pendingId = approve.value ?? approve.options![0]!.value.split('|')[0]!;
      return { ts: m.ts, approve, pendingId };
    },
    async click(user: string, messageTs: string, actionId: string, value: string, selected?: string) {
      const body = blockActionBody({ user_id: user, channel_id: CHANNEL, message_ts: messageTs, action_id: actionId, value, ...(selected ? { selected } : {}) });
      expect((await postSigned(h.t.eventsUrl, SIGNING_SECRET, body)).status).toBe(200);
    },
    outcome(rootTs: string, title: RegExp) {
      return waitFor('outcome in the thread', () => h.t.slack.threadReplies(CHANNEL, rootTs).find((m) => OUTCOME.test(m.text) && title.test(m.text)), 30_000);
    },
    cooldownKey(remediationId: string) {
      return h.t.bot.runtime.keys.cooldown(remediationId, TARGET);
    },
  };
  return h;
}

describe('remediate job: partial runs, cool-downs and one run per target', () => {
  let state: PrivateRedis;
  const h = harness();
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIATESTTESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test' });
    state = await startRedis();
    h.t = await startTestBot({ stateRedisUrl: state.url, catalog: catalog() });
  });
  afterAll(async () => {
    await h.t?.stop();
    await state?.stop();
    process.env = savedEnv;
  });
  beforeEach(async () => {
    // Each test starts with no cool-down on the service (they all share one target).
    const redis = h.t.bot.runtime.redis;
    await redis.del(h.cooldownKey('reset-failure-mode'), h.cooldownKey('force-new-deployment'));
  });

  it('reports a half-finished reset as partly done, verifies it, audits it as partial and keeps the cool-down', async () => {
    const fake = new FakeGoldenPath(leakState());
    fake.install();
    mocks.ecs.on(UpdateServiceCommand).rejects(denied('ecs:UpdateService'));
    const root = await h.check();
    const reset = await h.proposal(root.ts, RESET);
    await h.click(APPROVER, reset.ts, reset.approve.action_id!, reset.pendingId);
    const outcome = await h.outcome(root.ts, /^Turn off/);

    expect(outcome.text).toBe('Turn off the connection-leak failure mode and restart the tasks: partly done');
    const blocks = JSON.stringify(outcome.blocks);
    expect(blocks).toContain('was only partly done');
    expect(blocks).toContain('set /golden/failure_mode to none (version 8)');
    expect(blocks).toContain('AWS refused ecs:UpdateService');
    // The after-checks ran: before and after of the verify checks, and the verdict.
    expect(blocks).toContain('*After*');
    expect(blocks).toContain('Not verified');
    expect(fake.state.failureMode).toBe('none');

    const rt = h.t.bot.runtime;
    expect((await rt.pending.state(reset.pendingId))?.status).toBe('partial');
    const audit = (await rt.audit.recent(200)).filter((a) => a.pendingId === reset.pendingId);
    expect(audit.find((a) => a.event === 'remediation.executed')).toMatchObject({
      outcome: 'partial',
      done: 'set /golden/failure_mode to none (version 8)',
      cooldown: 'started',
    });
    expect(audit.find((a) => a.event === 'remediation.executed')!.failed).toMatch(/AWS refused ecs:UpdateService/);
    expect(audit.find((a) => a.event === 'remediation.verified')).toMatchObject({ ok: 'false' });
    const ttl = await rt.redis.pttl(h.cooldownKey('reset-failure-mode'));
    expect(ttl).toBeGreaterThan(WINDOW_MS - 5000);
    expect(ttl).toBeLessThanOrEqual(WINDOW_MS);
    expect(await targetLockHolder(rt.redis, rt.keys, TARGET)).toBeUndefined();
  });

  it('releases the cool-down when nothing changed, so the retry after fixing IAM runs', async () => {
    const fake = new FakeGoldenPath(leakState());
    fake.install();
    mocks.ssm.on(PutParameterCommand).rejects(denied('ssm:PutParameter'));
    const root = await h.check();
    const reset = await h.proposal(root.ts, RESET);
    await h.click(APPROVER, reset.ts, reset.approve.action_id!, reset.pendingId);
    const failed = await h.outcome(root.ts, /^Turn off/);
    expect(failed.text).toMatch(/: failed$/);
    const rt = h.t.bot.runtime;
    expect(await rt.redis.exists(h.cooldownKey('reset-failure-mode'))).toBe(0);
    const audit = (await rt.audit.recent(200)).filter((a) => a.pendingId === reset.pendingId);
    expect(audit.find((a) => a.event === 'remediation.failed')).toMatchObject({ outcome: 'failed', cooldown: 'released (nothing changed)' });
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);

    // IAM fixed: a fresh check's reset is approved and runs, not refused by a cool-down.
    new FakeGoldenPath(leakState()).install();
    const again = await h.check();
    const retry = await h.proposal(again.ts, RESET);
    const n = h.t.slack.ephemerals.length;
    await h.click(APPROVER, retry.ts, retry.approve.action_id!, retry.pendingId);
    const done = await h.outcome(again.ts, /^Turn off/);
    expect(done.text).toMatch(/: (verified|not verified)$/);
    expect(h.t.slack.ephemerals.slice(n).some((e) => /cool-down/.test(e.text))).toBe(false);
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(1);
  });

  it('refuses a second remediation on the same service while one runs, keeps it approvable, and starts the cool-down at the end', async () => {
    new FakeGoldenPath(leakState()).install();
    const rt = h.t.bot.runtime;
    const root = await h.check();
    const reset = await h.proposal(root.ts, RESET);
    const force = await h.proposal(root.ts, FORCE);
    await h.click(APPROVER, reset.ts, reset.approve.action_id!, reset.pendingId);
    const running = await waitFor('reset holds the service', () =>
      targetLockHolder(rt.redis, rt.keys, TARGET).then((x) => (x?.pendingId === reset.pendingId ? x : undefined)),
    );
    // While it runs, its own cool-down covers the run.
    expect(await rt.redis.pttl(h.cooldownKey('reset-failure-mode'))).toBeGreaterThan(WINDOW_MS);

    const n = h.t.slack.ephemerals.length;
    await h.click(APPROVER2, force.ts, force.approve.action_id!, force.pendingId);
    const refusal = await waitFor('busy refusal', () => h.t.slack.ephemerals.slice(n).find((e) => e.user === APPROVER2 && /:lock:/.test(e.text)));
    expect(refusal.text).toContain('was not started: *Turn off the connection-leak failure mode and restart the tasks* is running on');
    expect(refusal.text).toContain(`approved by <@${APPROVER}>`);
    expect(refusal.text).toMatch(/stays approvable until \d\d:\d\d UTC/);
    await waitFor('refusal in the thread', () => h.t.slack.threadReplies(CHANNEL, root.ts).find((m) => m.text.startsWith(`:lock: <@${APPROVER2}>'s approval was refused.`)));
    expect((await rt.pending.state(force.pendingId))?.status).toBe('pending');

    const first = await h.outcome(root.ts, /^Turn off/);
    expect(first.text).toMatch(/: (verified|not verified)$/);
    // Counted from the end of the run (which took over a second: the verify settle), not from its start.
    const ttl = await rt.redis.pttl(h.cooldownKey('reset-failure-mode'));
    const executed = (await rt.audit.recent(100)).find((a) => a.event === 'remediation.executed' && a.pendingId === reset.pendingId)!;
    expect(Date.parse(executed.at!) - Date.parse(running.since)).toBeGreaterThanOrEqual(1000);
    expect(Date.now() + ttl).toBeGreaterThanOrEqual(Date.parse(executed.at!) + WINDOW_MS - 300);
    expect(ttl).toBeLessThanOrEqual(WINDOW_MS);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);

    // Once it has finished, the refused one can still be approved, and runs.
    await h.click(APPROVER2, force.ts, force.approve.action_id!, force.pendingId);
    await h.outcome(root.ts, /^Restart the ECS tasks/);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(2);
    expect((await rt.pending.state(force.pendingId))?.status).toBe('done');
  });

  it('puts an approval that raced a running remediation back to pending, with its buttons, and runs it when approved again', async () => {
    new FakeGoldenPath(leakState()).install();
    const rt = h.t.bot.runtime;
    const root = await h.check();
    const force = await h.proposal(root.ts, FORCE);
    const held = await TargetLock.acquire(rt.redis, rt.keys, TARGET, {
      pendingId: 'someone-else-0001',
      remediationId: 'scale-service',
      title: 'Scale the service',
      approvedBy: APPROVER,
      since: new Date().toISOString(),
    });
    if (!('lock' in held)) throw new Error('could not take the lock');
    // Approved past the click-time check (another replica, a moment earlier): the worker is the last word.
    expect((await rt.pending.claimApproval(force.pendingId, APPROVER2)).kind).toBe('approved');
    const n = h.t.slack.ephemerals.length;
    const result = await processRemediateJob(rt, { data: { pendingId: force.pendingId } } as Job<RemediateJob>);
    expect(result.executed).toBe(false);
    expect(result.reason).toContain('*Scale the service* is running on');
    expect(await rt.pending.state(force.pendingId)).toMatchObject({ status: 'pending', approvers: [], round: 1 });
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    await waitFor('busy notice in the thread', () => h.t.slack.threadReplies(CHANNEL, root.ts).find((m) => m.text.startsWith(`:lock: *${FORCE}* was not started`)));
    await waitFor('busy notice to the approver', () => h.t.slack.ephemerals.slice(n).find((e) => e.user === APPROVER2 && /Scale the service/.test(e.text)));
    await waitFor('buttons back', () => elementsOf(h.t.slack.messages.get(force.ts)!.blocks).some((e) => e.action_id === 'remediation.approve'));
    const audit = (await rt.audit.recent(100)).filter((a) => a.pendingId === force.pendingId);
    expect(audit.find((a) => a.event === 'remediation.refused')?.reason).toBe('target busy: scale-service (someone-else-0001) is running');

    await held.lock.release();
    await h.click(APPROVER2, force.ts, force.approve.action_id!, force.pendingId);
    const outcome = await h.outcome(root.ts, /^Restart the ECS tasks/);
    expect(outcome.text).toMatch(/: (verified|not verified)$/);
    expect(await rt.pending.state(force.pendingId)).toMatchObject({ status: 'done', round: 2 });
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });
});

describe('two approvers and a menu: the first pick is what runs', () => {
  let state: PrivateRedis;
  const h = harness();
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIATESTTESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test' });
    state = await startRedis();
    h.t = await startTestBot({ stateRedisUrl: state.url, catalog: catalog({ required: 2, requiredHighRisk: 2 }) });
  });
  afterAll(async () => {
    await h.t?.stop();
    await state?.stop();
    process.env = savedEnv;
  });

  it('refuses a second approver who picks another count, and scales to the first pick once they agree', async () => {
    new FakeGoldenPath(overloadState()).install();
    const root = await h.check();
    const scale = await waitFor('scale proposal with a menu', () =>
      h.t.slack.threadReplies(CHANNEL, root.ts).find((m) => elementsOf(m.blocks).some((e) => e.action_id === 'remediation.approve.choice')),
    );
    const values = elementsOf(scale.blocks).find((e) => e.action_id === 'remediation.approve.choice')!.options!.map((o) => o.value);
    const [first, other] = [values[1]!, values[2]!];
    const pick = first.split('|')[1]!;
    const pendingId = first.split('|')[0]!;

    await h.click(APPROVER, scale.ts, 'remediation.approve.choice', '', first);
    await waitFor('first approval recorded', () => h.t.slack.ephemerals.find((e) => e.user === APPROVER && e.text.includes(`(1/2) with ${pick}`)));
    await h.click(APPROVER2, scale.ts, 'remediation.approve.choice', '', other);
    const refusal = await waitFor('conflicting pick refused', () => h.t.slack.ephemerals.find((e) => e.user === APPROVER2));
    expect(refusal.text).toBe(`:no_entry: <@${APPROVER}> approved ${pick}; pick ${pick} to approve it too, or dismiss. Your approval was not recorded.`);
    expect(await h.t.bot.runtime.pending.state(pendingId)).toMatchObject({ status: 'pending', approvers: [APPROVER], chosen: pick });
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);

    await h.click(APPROVER2, scale.ts, 'remediation.approve.choice', '', first);
    await waitFor('scaled', () => mocks.ecs.commandCalls(UpdateServiceCommand).length === 1, 30_000);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toMatchObject({ desiredCount: Number(pick) });
    await h.outcome(root.ts, /./);
  });
});
