import type { EnvTarget } from '../../catalog/schema.js';
import type { RedisPoolParams } from './params.js';
import { kubectl, redisNamespace } from './redis-cli.js';

/**
 * CONFIG SET lives only until the next restart or failover; the runbook persists settings in the Redis HelmRelease
 * (`master.configuration`). Returns the edit command and the values block to add, filled in.
 */
export function persistInHelmRelease(
  target: EnvTarget,
  p: RedisPoolParams,
  settings: ReadonlyArray<readonly [string, string | number]>,
): string[] {
  const lines = settings.map(([k, v]) => `    ${k} ${v}`).join('\n');
  return [
    kubectl(target, `edit helmrelease ${p.helmRelease} -n ${redisNamespace(target)}`),
    `# add under spec.values:\nmaster:\n  configuration: |\n${lines}`,
  ];
}
