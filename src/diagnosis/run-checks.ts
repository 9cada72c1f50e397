import type { Evidence, Finding } from '../domain/finding.js';
import { CheckTimeoutError, ConnbotError, errorMessage } from '../errors.js';
import type { Integrations } from '../integrations/integrations.js';
import type { PrometheusClient } from '../integrations/prometheus/prometheus-client.js';
import { promEvidence } from '../runbooks/shared/evidence.js';
import type { Check, RunbookContext } from '../runbooks/types.js';

const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export function checkTimeoutMs<P>(check: Check<P>, params: P): number {
  const t = check.timeoutMs;
  if (t === undefined) return DEFAULT_CHECK_TIMEOUT_MS;
  return typeof t === 'function' ? t(params) : t;
}

/**
 * Run one check with its own timeout; whatever happens it yields a Finding, so a slow or broken integration
 * costs one section of the report, never the report. A check that times out or throws keeps its evidence: what it
 * declared up front (`check.evidence`), what it pushed to `ctx.evidence`, and each PromQL it sent.
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
  const recorded: Evidence[] = [];
  const checkCtx: RunbookContext<P> = {
    ...ctx,
    signal: controller.signal,
    evidence: recorded,
    integrations: recordingPromQL(ctx.integrations, recorded),
  };
  // Evaluated now, not in the catch: it must not depend on how far the check got.
  let declared: Evidence[] = [];
  try {
    declared = check.evidence?.(checkCtx) ?? [];
  } catch {
    declared = [];
  }
  const known = () => uniqueEvidence([...declared, ...recorded]);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new CheckTimeoutError(check.id, timeoutMs);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const result = await Promise.race([check.run(checkCtx), timeout]);
    return {
      ...base,
      ...result,
      details: result.details ?? [],
      evidence: result.evidence ?? known(),
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
      evidence: known(),
      data: { errorCode: err instanceof ConnbotError ? err.code : undefined },
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onParentAbort);
  }
}

function uniqueEvidence(list: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${e.call}\n${e.cli ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const PROMQL_METHODS = new Set<PropertyKey>(['query', 'queryVector', 'queryRange']);

/**
 * The same integrations, except that each PromQL sent through `prometheus()` is noted (as the checks themselves
 * note it, with promEvidence) before it is sent. Everything else is the shared object, untouched.
 */
function recordingPromQL(integrations: Integrations, sink: Evidence[]): Integrations {
  let wrapped: { client: PrometheusClient; proxy: PrometheusClient } | undefined;
  const wrap = (client: PrometheusClient): PrometheusClient => {
    if (wrapped?.client === client) return wrapped.proxy;
    const proxy = new Proxy(client, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        if (!PROMQL_METHODS.has(key)) return (value as (...a: unknown[]) => unknown).bind(target);
        return (promql: unknown, ...rest: unknown[]) => {
          if (typeof promql === 'string') sink.push(promEvidence(target, promql));
          return (value as (...a: unknown[]) => unknown).call(target, promql, ...rest);
        };
      },
    });
    wrapped = { client, proxy };
    return proxy;
  };
  return new Proxy(integrations, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'prometheus') return () => wrap(target.prometheus());
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
