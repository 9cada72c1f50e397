import type { AlertRule, Catalog } from '../catalog/schema.js';
import { alertName, type IncomingAlert } from './incoming-alert.js';

export type AlertRoute = { service: string; env: string; runbookId: string } | { unmapped: string };

/**
 * Which service, env and runbook an alert is about, from the catalog's `alerts:` rules. Rules are tried in catalog
 * order and the first whose alertname/alarmName and matchers fit wins. The env comes from the rule (`env`), from a
 * label (`envFromLabel`; for CloudWatch, a Trigger dimension of that name), or is the service's only env.
 */
export function routeAlert(catalog: Catalog, alert: IncomingAlert): AlertRoute {
  const nearMisses: string[] = [];
  for (const [service, entry] of Object.entries(catalog.services)) {
    for (const rule of entry.alerts ?? []) {
      if (!ruleMatches(rule, alert)) continue;
      const envs = Object.keys(entry.envs);
      const env = envFor(rule, alert, envs);
      if (!env.ok) {
        nearMisses.push(`services.${service}: ${env.error}`);
        continue;
      }
      if (!entry.envs[env.name]) {
        nearMisses.push(`services.${service}: alert env "${env.name}" is not one of ${envs.join(', ')}`);
        continue;
      }
      const runbookId = rule.runbook ?? entry.runbooks[0]!;
      return { service, env: env.name, runbookId };
    }
  }
  const kind = alert.source === 'prometheus' ? `Prometheus alert "${alertName(alert)}"` : `CloudWatch alarm "${alertName(alert)}"`;
  if (nearMisses.length > 0) return { unmapped: `${kind} matched a catalog rule but ${nearMisses.join('; ')}` };
  return { unmapped: `no catalog alerts: rule matches ${kind}` };
}

function ruleMatches(rule: AlertRule, alert: IncomingAlert): boolean {
  if ('prometheus' in rule) {
    if (alert.source !== 'prometheus' || alert.alertname !== rule.prometheus.alertname) return false;
    return Object.entries(rule.prometheus.matchers ?? {}).every(([k, v]) => alert.labels[k] === v);
  }
  return alert.source === 'cloudwatch' && alert.alarmName === rule.cloudwatch.alarmName;
}

type EnvChoice = { ok: true; name: string } | { ok: false; error: string };

function envFor(rule: AlertRule, alert: IncomingAlert, envs: string[]): EnvChoice {
  if (rule.env) return { ok: true, name: rule.env };
  if (rule.envFromLabel) {
    const source = alert.source === 'prometheus' ? alert.labels : alert.dimensions;
    const value = source[rule.envFromLabel];
    if (value) return { ok: true, name: value };
    if (envs.length === 1) return { ok: true, name: envs[0]! };
    return { ok: false, error: `the alert has no "${rule.envFromLabel}" ${alert.source === 'prometheus' ? 'label' : 'dimension'} to pick the env from` };
  }
  if (envs.length === 1) return { ok: true, name: envs[0]! };
  return { ok: false, error: 'the rule names no env and the service has several' };
}
