/**
 * The catalog names a service's series with a label selector such as `{service="tickstorm"}`; runbook queries
 * name a metric and maybe more matchers. These join them into one PromQL vector selector.
 */

/** `{service="x", env="prod"}` → `service="x", env="prod"`; empty or missing → ''. */
export function selectorMatchers(selector: string | undefined): string {
  if (!selector) return '';
  const trimmed = selector.trim();
  const inner = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
  return inner.trim().replace(/,\s*$/, '');
}

/** A PromQL string literal: the value is quoted so no label value can end the matcher early. */
export function quoteLabelValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * `withSelector('m', '{service="t"}', { error_type: 'x' })` → `m{service="t",error_type="x"}`.
 * Extra matchers are equality matchers with quoted values; the catalog selector is operator configuration and
 * used as written (it may hold `=~` or `!=`).
 */
export function withSelector(metric: string, selector: string | undefined, extra: Record<string, string> = {}): string {
  const parts: string[] = [];
  const base = selectorMatchers(selector);
  if (base) parts.push(base);
  for (const [label, value] of Object.entries(extra)) parts.push(`${label}=${quoteLabelValue(value)}`);
  return parts.length > 0 ? `${metric}{${parts.join(',')}}` : metric;
}

/** PromQL range durations: `5m`, `10s`, `1h30m`. */
export const PROMQL_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
