import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget, type ResolvedTarget } from '../../../src/catalog/resolve-target.js';
import { FakeWorkloadApi, type FakeEvent, type FakePod, type FakeService } from '../../support/fake-workload-api.js';

/** The example catalog's vectorizer/prod, pointed at local fakes; params shortened so a suite stays fast. */
export function vectorizerTarget(opts: {
  health: string;
  metrics: string;
  prometheus?: string;
  /** The catalog's prometheus.selector; default {service="vectorizer"}, null: none. */
  selector?: string | null;
  params?: Record<string, number | string>;
  /** The example catalog's StatefulSet, or the same service as a Deployment. */
  kind?: 'statefulset' | 'deployment';
}): ResolvedTarget {
  return resolveTarget(
    validateCatalog({
      version: 1,
      services: {
        vectorizer: {
          runbooks: ['connection-errors'],
          envs: {
            prod: {
              k8s: { context: 'prod', namespace: 'vectorizer', [opts.kind ?? 'statefulset']: 'vectorizer', minReplicas: 2, maxReplicas: 6 },
              http: { health: opts.health, metrics: opts.metrics },
              ...(opts.prometheus
                ? { prometheus: { url: opts.prometheus, ...(opts.selector === null ? {} : { selector: opts.selector ?? '{service="vectorizer"}' }) } }
                : {}),
              params: { maxConnections: 10000, errorSampleSeconds: 0.4, rolloutWaitSeconds: 3, rolloutPollSeconds: 0.05, verifySettleSeconds: 0, ...opts.params },
            },
          },
        },
      },
    }),
    'vectorizer',
    'prod',
  );
}

const INFO_LOG = [
  '2026-01-16T09:12:00.004Z  INFO vectorizer::server: REST API listening on 0.0.0.0:15002',
  '2026-01-16T09:12:01.220Z  INFO vectorizer::db: loaded 14 collections (2,418,112 vectors)',
  '2026-01-16T09:13:44.871Z  INFO vectorizer::api: POST /collections/docs/search 200 4.1ms',
];

export function readyPods(n: number, log: string[] = INFO_LOG): FakePod[] {
  return Array.from({ length: n }, (_, i) => ({ name: `vectorizer-${i}`, ready: true, restartCount: 0, log }));
}

/** The Service in front of it, selecting the pods (`kubectl get endpoints vectorizer` lists them all). */
export const VECTORIZER_SERVICE: FakeService = { name: 'vectorizer', selector: { app: 'vectorizer' } };

/**
 * A StatefulSet vectorizer in namespace vectorizer, pods labelled app=vectorizer, behind Service vectorizer,
 * kubeconfig context prod.
 */
export async function startVectorizerCluster(
  pods: FakePod[],
  events: FakeEvent[] = [],
  replicas = pods.length,
  service: FakeService | undefined = VECTORIZER_SERVICE,
): Promise<FakeWorkloadApi> {
  const api = await FakeWorkloadApi.start({
    namespace: 'vectorizer',
    kind: 'statefulset',
    name: 'vectorizer',
    matchLabels: { app: 'vectorizer' },
    replicas,
    pods,
    events,
    rollout: 'completes',
    rolloutDelayMs: 150,
    ...(service ? { service: { ...service } } : {}),
  });
  process.env.KUBECONFIG = api.kubeconfigPath;
  return api;
}

export const ONLINE = { status: 'online', version: '1.8.2', uptime_seconds: 86_400 };
