import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { PendingRemediations } from '../../src/approvals/pending-remediations.js';
import { StateKeys } from '../../src/state/keys.js';
import type { PendingRemediation } from '../../src/jobs/queue-names.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';

function record(id: string, required = 1, expiresInMs = 60_000): PendingRemediation {
  return {
    id,
    runId: 'run-1',
    service: 'redis-master',
    env: 'prod',
    runbookId: 'redis-pool-exhaustion',
    plan: { remediationId: 'kill-idle-clients', title: 'Kill idle clients', risk: 'medium', summary: 's', steps: [], params: {}, verifyChecks: [], targetKey: 'redis://x' },
    requestedBy: 'U0REQ',
    channel: 'C0OPS',
    threadTs: '1.1',
    createdAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    required,
  };
}

describe('claimApproval', () => {
  let server: PrivateRedis;
  const conns: Redis[] = [];
  let store: PendingRemediations;

  beforeAll(async () => {
    server = await startRedis();
    for (let i = 0; i < 8; i++) conns.push(new Redis(server.url));
    store = new PendingRemediations(conns[0]!, new StateKeys('claim-test'));
  });
  afterAll(async () => {
    conns.forEach((c) => c.disconnect());
    await server.stop();
  });

  it('lets exactly one of many concurrent approvals (separate connections, like replicas) win', async () => {
    await store.create(record('race-1'));
    const replicas = conns.map((c) => new PendingRemediations(c, new StateKeys('claim-test')));
    const results = await Promise.all(replicas.flatMap((r, i) => [r.claimApproval('race-1', `U${i}`), r.claimApproval('race-1', `U${i}`)]));
    expect(results.filter((r) => r.kind === 'approved')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'decided')).toHaveLength(results.length - 1);
    expect((await store.state('race-1'))?.status).toBe('approved');
  });

  it('needs `required` distinct approvers', async () => {
    await store.create(record('two-1', 2));
    expect((await store.claimApproval('two-1', 'U1')).kind).toBe('partial');
    expect((await store.claimApproval('two-1', 'U1')).kind).toBe('already-approved-by-you');
    expect((await store.claimApproval('two-1', 'U2')).kind).toBe('approved');
  });

  it('refuses after expiry and moves executing only once', async () => {
    await store.create(record('exp-1', 1, -1));
    expect((await store.claimApproval('exp-1', 'U1')).kind).toBe('expired');
    expect((await store.state('exp-1'))?.status).toBe('expired');
    await store.create(record('run-1'));
    await store.claimApproval('run-1', 'U1');
    const moves = await Promise.all([store.transition('run-1', 'approved', 'executing'), store.transition('run-1', 'approved', 'executing')]);
    expect(moves.filter(Boolean)).toHaveLength(1);
    expect((await store.claimApproval('missing', 'U1')).kind).toBe('missing');
  });

  it('keeps the first approver’s pick and refuses a later approval naming another value', async () => {
    await store.create(record('pick-1', 2));
    expect(await store.claimApproval('pick-1', 'U1', Date.now(), '6')).toEqual({ kind: 'partial', approvals: 1, required: 2, chosen: '6' });
    expect(await store.state('pick-1')).toMatchObject({ status: 'pending', chosen: '6', chosenBy: 'U1' });
    // The last approver no longer overrides the first.
    expect(await store.claimApproval('pick-1', 'U2', Date.now(), '9')).toEqual({ kind: 'choice-conflict', chosen: '6', by: 'U1' });
    expect((await store.state('pick-1'))?.approvers).toEqual(['U1']);
    expect(await store.claimApproval('pick-1', 'U2', Date.now(), '6')).toEqual({ kind: 'approved', approvals: 2, chosen: '6', round: 1 });
    expect(await store.state('pick-1')).toMatchObject({ status: 'approved', decidedBy: 'U2', chosen: '6', chosenBy: 'U1' });
  });

  it('lets a later approval without a pick agree with the first one', async () => {
    await store.create(record('pick-2', 2));
    await store.claimApproval('pick-2', 'U1', Date.now(), '4');
    expect(await store.claimApproval('pick-2', 'U2')).toEqual({ kind: 'approved', approvals: 2, chosen: '4', round: 1 });
  });

  it('races two different picks from separate connections: exactly one value wins and runs', async () => {
    await store.create(record('pick-3', 2));
    const replicas = conns.map((c) => new PendingRemediations(c, new StateKeys('claim-test')));
    const results = await Promise.all(replicas.map((r, i) => r.claimApproval('pick-3', `U${i}`, Date.now(), String(2 + (i % 2)))));
    const approved = results.filter((r) => r.kind === 'approved');
    expect(approved).toHaveLength(1);
    const state = await store.state('pick-3');
    expect(approved[0]).toMatchObject({ chosen: state!.chosen });
    // Everyone who disagreed was refused, and their approval not counted.
    for (const r of results.filter((x) => x.kind === 'choice-conflict')) expect(r).toMatchObject({ chosen: state!.chosen });
  });

  it('reopens an approved remediation for a new round, with approvals and pick cleared', async () => {
    await store.create(record('reopen-1', 2));
    await store.claimApproval('reopen-1', 'U1', Date.now(), '6');
    await store.claimApproval('reopen-1', 'U2', Date.now(), '6');
    expect(await store.transition('reopen-1', 'approved', 'executing')).toBe(true);
    expect(await store.reopen('reopen-1', 'approved')).toBe(false);
    expect(await store.reopen('reopen-1', 'executing')).toBe(true);
    const state = await store.state('reopen-1');
    expect(state).toMatchObject({ status: 'pending', approvers: [], round: 1 });
    expect(state?.chosen).toBeUndefined();
    expect(state?.decidedBy).toBeUndefined();
    expect((await store.claimApproval('reopen-1', 'U1', Date.now(), '9')).kind).toBe('partial');
    expect(await store.claimApproval('reopen-1', 'U3', Date.now(), '9')).toEqual({ kind: 'approved', approvals: 2, chosen: '9', round: 2 });
  });
});
