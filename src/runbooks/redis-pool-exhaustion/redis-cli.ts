import type { EnvTarget } from '../../catalog/schema.js';
import { redactRedisUrl } from '../../integrations/redis/redis-target.js';

/** `kubectl` with the env's kubeconfig context, so a copied command hits the same cluster connbot read. */
export function kubectl(target: EnvTarget, args: string): string {
  const context = target.k8s?.context;
  return `kubectl ${context ? `--context ${context} ` : ''}${args}`;
}

/**
 * The runbook runs `kubectl exec -n redis redis-master-0 -- redis-cli …` inside the Redis pod. When the catalog
 * names the Redis workload the same command is filled in with its namespace and pod; otherwise redis-cli is pointed
 * at the catalog URL (password redacted, taken from the env var the catalog names).
 */
export function redisCli(target: EnvTarget, args: string): string {
  const k8s = target.k8s;
  if (k8s?.namespace && (k8s.statefulset || k8s.deployment)) {
    // A StatefulSet's first pod is the master in the runbook's layout; a Deployment is reached through kubectl.
    const pod = k8s.statefulset ? `${k8s.statefulset}-0` : `deployment/${k8s.deployment}`;
    // A password-protected Redis answers NOAUTH otherwise; --askpass prompts for it instead of putting it in argv.
    if (target.redis?.passwordFromEnv) return kubectl(target, `exec -it -n ${k8s.namespace} ${pod} -- redis-cli --askpass ${args}`);
    return kubectl(target, `exec -n ${k8s.namespace} ${pod} -- redis-cli ${args}`);
  }
  const redis = target.redis;
  if (!redis) return `redis-cli ${args}`;
  const auth = redis.passwordFromEnv ? `REDISCLI_AUTH="$${redis.passwordFromEnv}" ` : '';
  return `${auth}redis-cli -u ${redactRedisUrl(redis.url)} ${args}`;
}

/** The namespace of the HelmRelease that persists Redis config: the Redis workload's, else the runbook's `redis`. */
export function redisNamespace(target: EnvTarget): string {
  return target.k8s?.namespace ?? 'redis';
}

/** What a plan acts on, for cool-downs and the audit trail. */
export function redisTargetKey(target: EnvTarget): string {
  return target.redis ? redactRedisUrl(target.redis.url) : 'redis://unknown';
}
