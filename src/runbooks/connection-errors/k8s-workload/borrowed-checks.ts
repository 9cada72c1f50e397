import type { Check, RunbookContext } from '../../types.js';
import { DropRateParams } from '../../connection-drop-rate/params.js';

const DROP_RATE_DEFAULTS: DropRateParams = DropRateParams.parse({});

/**
 * Run one of connection-drop-rate's checks (health, pods) for another runbook, with that runbook's own values
 * for the params the check reads. The check stays in one place; only its id or title may differ.
 */
export function borrowDropRateCheck<P>(
  check: Check<DropRateParams>,
  params: (p: P) => Partial<DropRateParams>,
  rename: { id?: string; title?: string } = {},
): Check<P> {
  const asDropRate = (p: P): DropRateParams => ({ ...DROP_RATE_DEFAULTS, ...params(p) });
  const adapt = (ctx: RunbookContext<P>): RunbookContext<DropRateParams> => ({ ...ctx, params: asDropRate(ctx.params) });
  const timeout = check.timeoutMs;
  const skipUnless = check.skipUnless;
  return {
    id: rename.id ?? check.id,
    title: rename.title ?? check.title,
    ...(timeout === undefined ? {} : { timeoutMs: typeof timeout === 'function' ? (p: P) => timeout(asDropRate(p)) : timeout }),
    ...(skipUnless ? { skipUnless: (ctx: RunbookContext<P>) => skipUnless(adapt(ctx)) } : {}),
    run: (ctx) => check.run(adapt(ctx)),
  };
}
