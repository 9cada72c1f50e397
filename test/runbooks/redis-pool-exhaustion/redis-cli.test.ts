import { describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import type { EnvTarget } from '../../../src/catalog/schema.js';
import { kubectl, redisCli, redisTargetKey } from '../../../src/runbooks/redis-pool-exhaustion/redis-cli.js';

/** Targets go through the real catalog schema, as they would from manifests. */
function target(env: Record<string, unknown>): EnvTarget {
  const catalog = validateCatalog({ version: 1, services: { r: { runbooks: ['redis-pool-exhaustion'], envs: { prod: env } } } });
  return catalog.services.r!.envs.prod!;
}

describe('the runbook’s CLI equivalents, filled in from the catalog', () => {
  it('uses the runbook’s kubectl exec into the first pod of the Redis StatefulSet, with the env’s context and the password prompted', () => {
    const t = target({
      redis: { url: 'redis://redis-master.redis.svc.cluster.local:6379', passwordFromEnv: 'REDIS_MASTER_PASSWORD' },
      k8s: { context: 'prod', namespace: 'redis', statefulset: 'redis-master' },
    });
    // The password is asked for at the prompt, never put on the command line.
    expect(redisCli(t, 'client list')).toBe('kubectl --context prod exec -it -n redis redis-master-0 -- redis-cli --askpass client list');
    expect(kubectl(t, 'get hpa -n bruno')).toBe('kubectl --context prod get hpa -n bruno');
  });

  it('execs through a Deployment when that is what the catalog names', () => {
    const t = target({ redis: { url: 'redis://cache:6379' }, k8s: { namespace: 'cache', deployment: 'redis' } });
    expect(redisCli(t, 'info clients')).toBe('kubectl exec -n cache deployment/redis -- redis-cli info clients');
  });

  it('points redis-cli at the URL with the password redacted and read from the env var the catalog names', () => {
    const t = target({ redis: { url: 'rediss://app:s3cret@redis.example.com:6380/2', passwordFromEnv: 'REDIS_PW' } });
    const cli = redisCli(t, 'config get maxclients');
    expect(cli).toBe('REDISCLI_AUTH="$REDIS_PW" redis-cli -u rediss://app:***@redis.example.com:6380/2 config get maxclients');
    expect(cli).not.toContain('s3cret');
    expect(redisTargetKey(t)).toBe('rediss://app:***@redis.example.com:6380/2');
  });

  it('ignores a k8s target that names only client apps, not the Redis workload', () => {
    const t = target({
      redis: { url: 'redis://10.0.0.7:6379' },
      k8s: { clients: [{ namespace: 'bruno', deployment: 'agent-bruno', poolSize: 20 }] },
    });
    expect(redisCli(t, 'client list')).toBe('redis-cli -u redis://10.0.0.7:6379 client list');
  });
});
