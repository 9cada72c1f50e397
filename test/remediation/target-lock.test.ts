import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetLock, targetBusyText, targetLockHolder, targetLockKey, type TargetLockHolder } from '../../src/remediation/target-lock.js';
import { StateKeys } from '../../src/state/keys.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';

const TARGET = 'ecs:us-east-1/golden-path-cluster-prod/golden-path-service-prod';
const keys = new StateKeys('lock-test');

function holder(pendingId: string, remediationId = 'reset-failure-mode'): TargetLockHolder {
  return { pendingId, remediationId, title: 'Turn off the leak', approvedBy: 'U0APPROVER', since: '2025-11-24T18:02:00.000Z' };
}

describe('TargetLock (real Redis)', () => {
  let server: PrivateRedis;
  const conns: Redis[] = [];

  beforeAll(async () => {
    server = await startRedis();
    for (let i = 0; i < 6; i++) conns.push(new Redis(server.url));
  });
  afterAll(async () => {
    conns.forEach((c) => c.disconnect());
    await server.stop();
  });

  it('lets exactly one of several runs on the same target in, whatever the remediation, and names the holder', async () => {
    const results = await Promise.all(
      conns.map((c, i) => TargetLock.acquire(c, keys, TARGET, holder(`pending-${i}`, i % 2 ? 'force-new-deployment' : 'reset-failure-mode'))),
    );
    const won = results.filter((r) => 'lock' in r);
    expect(won).toHaveLength(1);
    const winner = (await targetLockHolder(conns[0]!, keys, TARGET))!;
    for (const r of results.filter((x) => 'heldBy' in x)) expect(r).toEqual({ heldBy: winner });
    // Another target is independent.
    const other = await TargetLock.acquire(conns[0]!, keys, 'ecs:us-east-1/other/other', holder('pending-x'));
    expect('lock' in other).toBe(true);
    if ('lock' in other) await other.lock.release();
    if ('lock' in won[0]!) await won[0].lock.release();
    expect(await targetLockHolder(conns[0]!, keys, TARGET)).toBeUndefined();
  });

  it('never frees a lock it no longer owns (compare-and-delete)', async () => {
    const first = await TargetLock.acquire(conns[0]!, keys, TARGET, holder('p1'), { ttlMs: 100 });
    expect('lock' in first).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const second = await TargetLock.acquire(conns[1]!, keys, TARGET, holder('p2'));
    expect('lock' in second).toBe(true);
    if ('lock' in first) await first.lock.release();
    expect((await targetLockHolder(conns[0]!, keys, TARGET))?.pendingId).toBe('p2');
    if ('lock' in second) await second.lock.release();
  });

  it('is renewed while held, so a run longer than the TTL keeps it, and calls onRenew', async () => {
    let renewed = 0;
    const r = await TargetLock.acquire(conns[0]!, keys, TARGET, holder('long'), {
      ttlMs: 300,
      renewMs: 50,
      onRenew: async () => {
        renewed += 1;
      },
    });
    expect('lock' in r).toBe(true);
    await new Promise((res) => setTimeout(res, 800));
    expect((await targetLockHolder(conns[0]!, keys, TARGET))?.pendingId).toBe('long');
    expect(renewed).toBeGreaterThan(3);
    const ttl = await conns[0]!.pttl(targetLockKey(keys, TARGET));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    if ('lock' in r) await r.lock.release();
    expect(await conns[0]!.exists(targetLockKey(keys, TARGET))).toBe(0);
  });

  it('explains a busy target with who holds it and until when the refused one stays approvable', () => {
    const text = targetBusyText({
      title: 'Force a new deployment',
      targetKey: TARGET,
      holder: holder('p1'),
      expiresAt: '2025-11-24T18:15:00.000Z',
    });
    expect(text).toBe(
      `*Force a new deployment* was not started: *Turn off the leak* is running on \`${TARGET}\` (approved by <@U0APPROVER>, started 18:02 UTC). ` +
        'Nothing was changed. It stays approvable until 18:15 UTC: approve it again once that run has posted its outcome in this thread, if it is still needed.',
    );
  });
});
