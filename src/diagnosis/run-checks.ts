import type { Finding } from '../domain/finding.js';
import { CheckTimeoutError, ConnbotError, errorMessage } from '../errors.js';
import type { Check, RunbookContext } from '../runbooks/types.js';

const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export function checkTimeoutMs<P>(check: Check<P>, params: P): number {
  const t = check.timeoutMs;
  if (t === undefined) return DEFAULT_CHECK_TIMEOUT_MS;
  return typeof t === 'function' ? t(params) : t;
}

/**
 * Run one check with its own timeout; whatever happens it yields a Finding, so a slow or broken integration
 * costs one section of the report, never the report.
 */
export async function runCheck<P>(check: Check<P>, ctx: RunbookContext<P>): Promise<Finding> {
  const started = performance.now();
  const base = { checkId: check.id, title: check.title };
  const skip = check.skipUnless?.(ctx);
  if (skip) {
    return { ...base, status: 'unknown', summary: `skipped: ${skip}`, skipped: skip, details: [], evidence: [], data: {}, durationMs: 0 };
  }
  const timeoutMs = checkTimeoutMs(check, ctx.params);
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new CheckTimeoutError(check.id, timeoutMs);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const result = await Promise.race([check.run({ ...ctx, signal: controller.signal }), timeout]);
    return {
      ...base,
      ...result,
      details: result.details ?? [],
      evidence: result.evidence ?? [],
      data: result.data ?? {},
      durationMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    const timedOut = err instanceof CheckTimeoutError;
    const hint = err instanceof ConnbotError && err.hint ? ` (${err.hint})` : '';
    return {
      ...base,
      status: timedOut ? 'unknown' : 'error',
      summary: timedOut ? `no answer within ${timeoutMs} ms` : `${errorMessage(err)}${hint}`,
      details: [],
      evidence: [],
      data: { errorCode: err instanceof ConnbotError ? err.code : undefined },
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onParentAbort);
  }
}
