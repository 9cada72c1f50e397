import type { FindingsById, ManualStep, RunbookContext } from '../types.js';
import { workloadRef } from '../shared/k8s-workload/workload-ref.js';
import type { WebSocketParams } from './params.js';
import { handshakeFailingAtProxy, highDisconnectionRate, latencyResourcePressure, serviceDown } from './causes.js';
import { readSignals } from './signals.js';

/**
 * The runbook's steps that change configuration or look at the network path — ConfigMap patches, Service,
 * ingress, network policies, TLS, the probes — filled in with this deployment's names and values.
 */
export function websocketManualSteps(ctx: RunbookContext<WebSocketParams>, byId: FindingsById): ManualStep[] {
  const p = ctx.params;
  const t = ctx.target;
  const s = readSignals(byId);
  const ref = workloadRef(t.k8s);
  const ns = ref?.namespace ?? t.k8s?.namespace ?? 'default';
  const workload = ref ? `${ref.kind}/${ref.name}` : `deployment/${ctx.service}`;
  const name = ref?.name ?? ctx.service;
  const container = t.k8s?.container ?? name;
  const health = t.http?.health ? new URL(t.http.health) : undefined;
  const wsUrl = t.http?.websocket ? new URL(t.http.websocket) : undefined;
  const port = Number(health?.port || wsUrl?.port || 8003);
  const svcHost = wsUrl?.hostname ?? health?.hostname ?? name;
  const steps: ManualStep[] = [];

  const pressure = latencyResourcePressure.assess(byId, p);
  const disconnects = highDisconnectionRate.assess(byId, p);
  if (pressure || disconnects) {
    // The runbook writes `\\n` inside single quotes, which puts a literal backslash-n into the YAML; building the
    // patch as JSON gives real newlines.
    const websocketYaml = `max_connections: ${p.maxConnections}\nheartbeat_interval: ${p.heartbeatIntervalSeconds}\nconnection_timeout: ${p.connectionTimeoutSeconds}\nmax_message_size: ${p.maxMessageSize}`;
    const poolYaml = `max_pool_size: ${p.maxPoolSize}\npool_timeout: ${p.poolTimeoutSeconds}\nmax_idle_time: ${p.maxIdleTimeSeconds}`;
    steps.push({
      title: 'Adjust the WebSocket configuration and connection pooling (Step 3)',
      why: `${(disconnects ?? pressure)!.explanation} The ConfigMap is the service's configuration; a patch replaces the whole key, so compare with the current values first.`,
      commands: [
        `kubectl get configmap ${p.configMap} -n ${ns} -o yaml`,
        `kubectl patch configmap ${p.configMap} -n ${ns} -p '${JSON.stringify({ data: { 'websocket.yaml': websocketYaml } })}'`,
        `kubectl get configmap ${p.configMap} -n ${ns} -o yaml | grep connection_pool`,
        `kubectl patch configmap ${p.configMap} -n ${ns} -p '${JSON.stringify({ data: { 'connection_pool.yaml': poolYaml } })}'`,
        `kubectl rollout restart ${workload} -n ${ns}`,
      ],
    });
  }

  const proxy = handshakeFailingAtProxy.assess(byId, p);
  const down = serviceDown.assess(byId, p);
  if (proxy || (down && s.allReady)) {
    steps.push({
      title: 'Check the Service, ingress and network policies (Step 2)',
      why: `${(proxy ?? down)!.explanation} These objects sit between clients and the pods; reading and changing them is a network decision.`,
      commands: [
        `kubectl get service ${name} -n ${ns} -o yaml`,
        `kubectl get ingress ${p.ingress} -n ${ns} -o yaml`,
        `kubectl get networkpolicy -n ${ns}`,
        `kubectl exec -it ${workload} -n ${ns} -- nc -zv ${svcHost} ${port}`,
      ],
    });
    steps.push({
      title: 'Check TLS and the proxy configuration (Step 4)',
      why: 'A proxy that does not pass Upgrade/Connection headers, or a certificate that does not match, breaks the handshake while plain HTTP works.',
      commands: [
        // Not `-o yaml`: that would print the private key into a terminal (or a Slack thread).
        `kubectl get secret ${p.tlsSecret} -n ${ns} -o jsonpath='{.data.tls\\.crt}' | base64 -d | openssl x509 -noout -subject -enddate`,
        `kubectl exec -it ${workload} -n ${ns} -- openssl s_client -connect ${svcHost}:${port} -servername ${p.publicHost}`,
        'kubectl exec -it deployment/nginx-ingress -n ingress-nginx -- cat /etc/nginx/nginx.conf | grep -A 10 websocket',
        `curl -I -H "Connection: Upgrade" -H "Upgrade: websocket" http://${p.publicHost}${wsUrl?.pathname ?? '/ws'}`,
      ],
    });
  }

  // Pods reported ready while the service does not answer: the readiness probe is missing or checks the wrong thing.
  if (s.allReady && (s.healthDown || s.handshakeNoAnswer) && health) {
    const probe = (initialDelaySeconds: number, periodSeconds: number) => ({ httpGet: { path: health.pathname, port }, initialDelaySeconds, periodSeconds });
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: container,
                readinessProbe: probe(p.readinessInitialDelaySeconds, p.readinessPeriodSeconds),
                livenessProbe: probe(p.livenessInitialDelaySeconds, p.livenessPeriodSeconds),
              },
            ],
          },
        },
      },
    };
    steps.push({
      title: 'Add readiness and liveness probes (Step 4.3)',
      why: `All ${s.pods!.pods} pods are Ready, yet ${s.healthDown ? 'the health endpoint' : 'the WebSocket endpoint'} does not answer: without a probe on ${health.pathname}, Kubernetes keeps sending traffic to broken pods. Changing the pod spec is a deploy decision, so it is not a button.`,
      commands: [`kubectl patch ${workload.replace('/', ' ')} -n ${ns} -p '${JSON.stringify(patch)}'`, `kubectl rollout status ${workload} -n ${ns}`],
    });
  }
  return steps;
}
