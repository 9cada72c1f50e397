import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { applyRemediation } from '../../src/remediation/apply-remediation.js';
import type { AfterRemediation, AnyRunbook, ExecutionResult, FindingsById, Remediation, RemediationPlan } from '../../src/runbooks/types.js';
import { goldenPath } from '../runbooks/db-connection-exhaustion/scenarios.js';

/**
 * A runbook of one check and one remediation, to see what applyRemediation hands each of them: what execute()
 * returned goes to the checks re-run after the change (ctx.afterRemediation) and to verify(), explicitly.
 */
function probe(execute: Remediation['execute'], verify?: Remediation['verify']) {
  const seenByChecks: Array<AfterRemediation | undefined> = [];
  const remediation: Remediation = {
    id: 'probe-fix',
    title: 'Probe fix',
    risk: 'low',
    applies: () => true,
    plan: () => plan,
    execute,
    ...(verify ? { verify } : {}),
  };
  const runbook: AnyRunbook = {
    id: 'probe',
    title: 'Probe',
    source: 'probe.md',
    requires: [],
    params: z.object({}),
    checks: [
      {
        id: 'probe-check',
        title: 'Probe check',
        run: async (ctx) => {
          seenByChecks.push(ctx.afterRemediation);
          return { status: ctx.afterRemediation ? 'ok' : 'warn', summary: ctx.afterRemediation ? 'after' : 'before' };
        },
      },
    ],
    causes: [],
    remediations: [remediation],
  };
  const plan: RemediationPlan = {
    remediationId: 'probe-fix',
    title: 'Probe fix',
    risk: 'low',
    summary: 'changes one thing',
    steps: ['change it'],
    params: {},
    verifyChecks: ['probe-check'],
    targetKey: 'probe://one',
  };
  return { resolved: { ...goldenPath(), runbook }, plan, seenByChecks };
}

describe('applyRemediation: the execution result is handed to the verifying checks and to verify()', () => {
  it('gives the re-run checks and verify() what execute() returned, data included; the checks before see none', async () => {
    const verifyCalls: Array<{ before: FindingsById; after: FindingsById; execution: ExecutionResult | undefined }> = [];
    const { resolved, plan, seenByChecks } = probe(
      async (ctx) => {
        ctx.changed?.('changed the thing');
        return { summary: 'changed the thing', data: { finishedAt: 1_700_000_000_000, end: 'completed' } };
      },
      (_plan, before, after, execution) => {
        verifyCalls.push({ before, after, execution });
        return { ok: execution?.data?.end === 'completed', summary: 'judged on the execution result' };
      },
    );
    const outcome = await applyRemediation(resolved, plan, { settleMs: 0 });
    expect(outcome.executed).toBe(true);
    expect(outcome.execution).toEqual({ summary: 'changed the thing', data: { finishedAt: 1_700_000_000_000, end: 'completed' } });
    expect(seenByChecks).toEqual([undefined, { plan, execution: outcome.execution }]);
    expect(outcome.before[0]!.summary).toBe('before');
    expect(outcome.after[0]!.summary).toBe('after');
    expect(verifyCalls).toHaveLength(1);
    expect(verifyCalls[0]!.execution).toBe(outcome.execution);
    expect(verifyCalls[0]!.before.get('probe-check')!.status).toBe('warn');
    expect(verifyCalls[0]!.after.get('probe-check')!.status).toBe('ok');
    expect(outcome.verification).toEqual({ ok: true, summary: 'judged on the execution result' });
  });

  it('hands on the "partly done" result, without data, after a partial run', async () => {
    let given: ExecutionResult | undefined;
    const { resolved, plan, seenByChecks } = probe(
      async (ctx) => {
        ctx.changed?.('changed the first thing');
        throw new Error('second step refused');
      },
      (_plan, _before, _after, execution) => {
        given = execution;
        return { ok: false, summary: 'partial' };
      },
    );
    const outcome = await applyRemediation(resolved, plan, { settleMs: 0 });
    expect(outcome.partial).toEqual({ done: ['changed the first thing'], failed: 'second step refused' });
    expect(given).toEqual({ summary: 'partly done — done: changed the first thing; failed: second step refused' });
    expect(seenByChecks[1]).toEqual({ plan, execution: given });
  });

  it('keeps verify() functions written for three arguments, and the default verdict, working', async () => {
    const threeArgs = probe(
      async () => ({ summary: 'done', data: { ignored: true } }),
      (p, before, after) => ({ ok: after.size === before.size && p.remediationId === 'probe-fix', summary: 'old style' }),
    );
    expect((await applyRemediation(threeArgs.resolved, threeArgs.plan, { settleMs: 0 })).verification).toEqual({ ok: true, summary: 'old style' });

    const byDefault = probe(async () => ({ summary: 'done' }));
    expect((await applyRemediation(byDefault.resolved, byDefault.plan, { settleMs: 0 })).verification).toEqual({
      ok: true,
      summary: 'improved — Probe check: warn → ok',
    });
  });

  it('ends a run whose call never answers at its deadline: the signal aborts, then the run is abandoned as partly done', async () => {
    let aborted = false;
    const { resolved, plan } = probe(async (ctx) => {
      ctx.changed?.('requested the change');
      ctx.signal.addEventListener('abort', () => (aborted = true));
      return new Promise<never>(() => {}); // a watch call that never answers and ignores the abort
    });
    const started = Date.now();
    const outcome = await applyRemediation(resolved, plan, { settleMs: 0, maxRunMs: 200 });
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(outcome.partial?.done).toEqual(['requested the change']);
    expect(outcome.partial?.failed).toMatch(/did not finish within 10 s; abandoned/);
  }, 20_000);

  it('lets a run that heeds the abort report how far it got', async () => {
    const { resolved, plan } = probe(async (ctx) => {
      ctx.changed?.('requested the change');
      await new Promise((r) => ctx.signal.addEventListener('abort', r));
      return { summary: 'requested; stopped watching at the deadline' };
    });
    const outcome = await applyRemediation(resolved, plan, { settleMs: 0, maxRunMs: 100 });
    expect(outcome.partial).toBeUndefined();
    expect(outcome.execution?.summary).toBe('requested; stopped watching at the deadline');
  });
});
