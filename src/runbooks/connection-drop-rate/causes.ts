import type { Finding } from '../../domain/finding.js';
import type { Cause, CauseAssessment, FindingsById } from '../types.js';
import type { DropRateParams } from './params.js';
import { DROP_RATE } from './checks/drop-rate.js';
import { FILE_DESCRIPTORS } from '../shared/checks/file-descriptors.js';
import { MEMORY } from '../shared/checks/memory.js';
import { PODS } from '../shared/checks/k8s-pods.js';
import { isBad } from '../shared/finding-data.js';
import { ERRORS_BY_TYPE } from './checks/errors-by-type.js';
import { HEALTH } from '../shared/checks/http-health.js';
import { CONNECTION_DURATION } from './checks/connection-duration.js';
import { fmtNumber } from '../shared/evidence.js';

const num = (f: Finding | undefined, key: string): number | undefined => {
  const v = f?.data[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
const capped = (x: number, max = 1) => Math.round(Math.min(max, x) * 100) / 100;
const dropping = (byId: FindingsById) => byId.get(DROP_RATE)?.status === 'crit';

/** Scenario 1: the process is at its nofile limit. */
export const fdExhaustion: Cause<DropRateParams> = {
  id: 'fd-exhaustion',
  title: 'File descriptor exhaustion',
  assess(byId, p): CauseAssessment | undefined {
    const fds = byId.get(FILE_DESCRIPTORS);
    const pct = num(fds, 'worstPct');
    if (pct === undefined || pct < p.fdWarnPct) return undefined;
    const base = pct >= p.fdCritPct ? 0.8 : 0.5;
    return {
      confidence: capped(base + (dropping(byId) ? 0.15 : 0)),
      explanation: `${fmtNumber(pct, 1)}% of the process's file descriptors are open (warn ${p.fdWarnPct}%)${dropping(byId) ? ' while connections are being dropped' : ''}.`,
      supportedBy: dropping(byId) ? [FILE_DESCRIPTORS, DROP_RATE] : [FILE_DESCRIPTORS],
    };
  },
};

/** Scenario 2: memory near the limit, or containers killed for it. */
export const memoryPressure: Cause<DropRateParams> = {
  id: 'memory-pressure',
  title: 'Memory pressure',
  assess(byId, p): CauseAssessment | undefined {
    const mem = byId.get(MEMORY);
    const pods = byId.get(PODS);
    const pct = num(mem, 'worstPct');
    const oom = num(pods, 'oomKilled') ?? 0;
    const reasons: string[] = [];
    const supportedBy: string[] = [];
    let confidence = 0;
    if (pct !== undefined && pct >= p.memoryWarnPct) {
      confidence = pct >= p.memoryCritPct ? 0.7 : 0.45;
      reasons.push(`memory at ${fmtNumber(pct, 1)}% of its limit`);
      supportedBy.push(MEMORY);
    }
    if (oom > 0) {
      confidence = Math.max(confidence, 0.6) + 0.2;
      reasons.push(`${oom} pod(s) last terminated OOMKilled`);
      supportedBy.push(PODS);
    }
    if (confidence === 0) return undefined;
    if (dropping(byId)) supportedBy.push(DROP_RATE);
    return {
      confidence: capped(confidence + (dropping(byId) ? 0.1 : 0)),
      explanation: `${reasons.join('; ')}.`,
      supportedBy,
    };
  },
};

/**
 * Network issues are what is left when connections drop while the process has descriptors and memory to spare.
 * Timeouts/resets among the errors, short-lived connections and a slow health answer make it likelier.
 */
export const networkIssues: Cause<DropRateParams> = {
  id: 'network-issues',
  title: 'Network issues (interface drops, TCP backlog, client side)',
  assess(byId, p): CauseAssessment | undefined {
    if (!dropping(byId)) return undefined;
    const resourcesBad = isBad(byId.get(FILE_DESCRIPTORS)) || isBad(byId.get(MEMORY)) || (num(byId.get(PODS), 'oomKilled') ?? 0) > 0;
    const supportedBy = [DROP_RATE];
    const reasons = [`${fmtNumber(num(byId.get(DROP_RATE), 'dropRatePct') ?? 0, 3)}% of connections dropped (threshold ${p.dropRatePct}%)`];
    let confidence = resourcesBad ? 0.25 : 0.5;
    if (!resourcesBad) reasons.push('file descriptors and memory are not under pressure');
    const byType = byId.get(ERRORS_BY_TYPE)?.data.byType as Record<string, number> | undefined;
    const netErrors = Object.entries(byType ?? {}).filter(([t, v]) => v > 0 && /timeout|reset|refused|network|eof|broken/i.test(t));
    if (netErrors.length > 0) {
      confidence += 0.15;
      reasons.push(`network-type errors: ${netErrors.map(([t, v]) => `${t} ${fmtNumber(v, 3)}/s`).join(', ')}`);
      supportedBy.push(ERRORS_BY_TYPE);
    }
    if (isBad(byId.get(CONNECTION_DURATION))) {
      confidence += 0.1;
      reasons.push(`median connection lives ${fmtNumber(num(byId.get(CONNECTION_DURATION), 'durationSeconds') ?? 0)}s`);
      supportedBy.push(CONNECTION_DURATION);
    }
    const health = byId.get(HEALTH);
    if (health?.data.outcome === 'timeout' || health?.data.outcome === 'reset') {
      confidence += 0.1;
      reasons.push(`the health endpoint ${String(health.data.outcome)}`);
      supportedBy.push(HEALTH);
    }
    return { confidence: capped(confidence, 0.9), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

export const causes = [networkIssues, fdExhaustion, memoryPressure];
