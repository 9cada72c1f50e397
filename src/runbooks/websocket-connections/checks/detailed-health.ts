import type { CheckResult, Status } from '../../../domain/finding.js';
import { describeProbe } from '../../../integrations/http/http-probe.js';
import type { Check } from '../../types.js';
import { excerptTable } from '../../shared/outside-text.js';
import type { WebSocketParams } from '../params.js';

export const DETAILED_HEALTH = 'detailed-health';

const FAILING = /^(unhealthy|down|fail(ed|ing|ure)?|error|critical|red|false|disconnected|unavailable)$/i;
const DEGRADED = /^(degraded|warn(ing)?|yellow|partial|slow)$/i;
const SECTIONS = ['checks', 'components', 'dependencies', 'services', 'details'];

interface Component {
  name: string;
  status: string;
}

/** "Check detailed health": `curl -f http://websocket:8003/health/detailed`, with each dependency it reports. */
export const detailedHealthCheck: Check<WebSocketParams> = {
  id: DETAILED_HEALTH,
  title: 'Detailed health',
  skipUnless: (ctx) => (ctx.target.http?.detailedHealth ? undefined : 'the catalog names no http.detailedHealth URL for this env'),
  timeoutMs: (p) => p.healthTimeoutMs + 1000,
  async run(ctx): Promise<CheckResult> {
    const http = ctx.integrations.http();
    const url = http.url('detailedHealth');
    const r = await http.probe('detailedHealth', { timeoutMs: ctx.params.healthTimeoutMs, signal: ctx.signal });
    const evidence = [{ call: `GET ${url}`, cli: `curl -f ${url} || echo "Detailed health check failed"` }];
    const data = { outcome: r.outcome, statusCode: r.statusCode, failing: [] as string[], degraded: [] as string[] };
    if (r.outcome !== 'response') return { status: 'crit', summary: `unreachable: ${describeProbe(r)}`, evidence, data };
    const components = findComponents(r.json);
    data.failing = components.filter((c) => FAILING.test(c.status)).map((c) => c.name);
    data.degraded = components.filter((c) => DEGRADED.test(c.status)).map((c) => c.name);
    const overall = topStatus(r.json);
    let status: Status = 'ok';
    if ((r.statusCode ?? 0) >= 500 || (overall && FAILING.test(overall))) status = 'crit';
    else if (!r.ok || data.failing.length > 0 || data.degraded.length > 0 || (overall && DEGRADED.test(overall))) status = 'warn';
    const parts = [describeProbe(r)];
    if (overall) parts.push(`reports "${overall}"`);
    if (data.failing.length > 0) parts.push(`failing: ${data.failing.join(', ')}`);
    if (data.degraded.length > 0) parts.push(`degraded: ${data.degraded.join(', ')}`);
    if (components.length > 0 && data.failing.length + data.degraded.length === 0) parts.push(`${components.length} component(s) healthy`);
    return {
      status,
      summary: parts.join('; '),
      details:
        components.length > 0
          ? [{ kind: 'table', columns: ['component', 'status'], rows: components.map((c) => [c.name, c.status]) }]
          : r.bodyExcerpt
            ? // The body is the service's text: a table is an escaped code block, where a `text` detail is mrkdwn.
              [excerptTable('The response body', r.bodyExcerpt)]
            : [],
      evidence,
      data,
    };
  },
};

function topStatus(json: unknown): string | undefined {
  const s = (json as { status?: unknown } | undefined)?.status;
  return typeof s === 'string' ? s : undefined;
}

/**
 * Detailed health bodies name their dependencies in a few common shapes: `{checks: {redis: "ok"}}`,
 * `{components: {db: {status: "down"}}}`, `{dependencies: [{name, status}]}`, `{redis: {healthy: false}}`.
 */
function findComponents(json: unknown): Component[] {
  if (!json || typeof json !== 'object') return [];
  const out: Component[] = [];
  const record = json as Record<string, unknown>;
  const section = SECTIONS.map((k) => record[k]).find((v) => v && typeof v === 'object');
  if (Array.isArray(section)) {
    for (const item of section) {
      const name = (item as { name?: unknown })?.name;
      const status = componentStatus(item);
      if (typeof name === 'string' && status) out.push({ name, status });
    }
    return out;
  }
  for (const [name, value] of Object.entries((section as Record<string, unknown> | undefined) ?? record)) {
    // At the top level a string is a version or a timestamp as often as a status: only objects count there.
    if (name === 'status' || (!section && typeof value === 'string')) continue;
    const status = componentStatus(value);
    if (status) out.push({ name, status });
  }
  return out;
}

function componentStatus(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'healthy' : 'unhealthy';
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { status?: unknown; state?: unknown; healthy?: unknown };
  if (typeof v.status === 'string') return v.status;
  if (typeof v.state === 'string') return v.state;
  if (typeof v.healthy === 'boolean') return v.healthy ? 'healthy' : 'unhealthy';
  return undefined;
}
