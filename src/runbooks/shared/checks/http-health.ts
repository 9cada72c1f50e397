import type { CheckResult, DetailBlock, Status } from '../../../domain/finding.js';
import { describeProbe, type HttpProbeResult } from '../../../integrations/http/http-probe.js';
import type { Check } from '../../types.js';
import { excerptTable } from '../outside-text.js';

export const HEALTH = 'health';

/** The thresholds a runbook gives this check, from its own params. */
export interface HealthCheckParams {
  healthTimeoutMs: number;
}

/**
 * "Verify Service Health" as every runbook writes it (`curl http://<service>/health`): the catalog's http.health
 * URL, judged by status code and the body's own "status" word.
 */
export const httpHealthCheck = <P extends HealthCheckParams>(title = 'Service health endpoint'): Check<P> => ({
  id: HEALTH,
  title,
  skipUnless: (ctx) => (ctx.target.http?.health ? undefined : 'the catalog names no http.health URL for this env'),
  timeoutMs: (p) => p.healthTimeoutMs + 1000,
  async run(ctx): Promise<CheckResult> {
    const http = ctx.integrations.http();
    const url = http.url('health');
    const r = await http.probe('health', { timeoutMs: ctx.params.healthTimeoutMs, signal: ctx.signal });
    const details: DetailBlock[] = r.bodyExcerpt ? [excerptTable('The response body', r.bodyExcerpt)] : [];
    const { status, verdict } = judge(r);
    return {
      status,
      summary: `${verdict}: ${describeProbe(r)}`,
      details,
      evidence: [{ call: `GET ${url}`, cli: `curl ${url}` }],
      data: { outcome: r.outcome, statusCode: r.statusCode, latencyMs: r.latencyMs, reportedStatus: reportedStatus(r.json) },
    };
  },
});

const BAD = /^(unhealthy|down|fail(ed|ing)?|error|critical|red)$/i;
const DEGRADED = /^(degraded|warn(ing)?|yellow|partial)$/i;

function judge(r: HttpProbeResult): { status: Status; verdict: string } {
  if (r.outcome !== 'response') return { status: 'crit', verdict: 'unreachable' };
  const code = r.statusCode ?? 0;
  if (code >= 500) return { status: 'crit', verdict: 'unhealthy' };
  if (!r.ok) return { status: 'warn', verdict: 'unexpected answer' };
  const reported = reportedStatus(r.json);
  if (reported && BAD.test(reported)) return { status: 'crit', verdict: `reports "${reported}"` };
  if (reported && DEGRADED.test(reported)) return { status: 'warn', verdict: `reports "${reported}"` };
  return { status: 'ok', verdict: reported ? `healthy ("${reported}")` : 'healthy' };
}

/** Health bodies commonly say `{"status": "healthy"}`; anything else is left to the excerpt. */
function reportedStatus(json: unknown): string | undefined {
  if (json && typeof json === 'object' && 'status' in json) {
    const s = (json as { status: unknown }).status;
    if (typeof s === 'string') return s;
  }
  return undefined;
}
