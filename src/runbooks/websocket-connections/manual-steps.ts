import type { FindingsById, ManualStep, RunbookContext } from '../types.js';
import { fmtNumber } from '../shared/evidence.js';
import { workloadRef } from '../shared/k8s-workload/workload-ref.js';
import type { WebSocketParams } from './params.js';
import { handshakeFailingAtProxy, handshakeFailingInApp, highDisconnectionRate, latencyResourcePressure, serviceDown } from './causes.js';
import { readSignals } from './signals.js';
import type { ProbePort } from './probe-port.js';
import { urlPort } from './container-port.js';

/** websocket.yaml's value in the runbook's Step 3 patch. */
const RUNBOOK_MAX_CONNECTIONS = 10_000;

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
  const publicUrl = t.http?.publicWebsocket ? new URL(t.http.publicWebsocket) : undefined;
  // Network tests go to the Service as clients do: the WebSocket URL's host and port (or its scheme's default),
  // else the health URL's. Commands inside a pod and probes name the container's port instead (see below).
  const serviceUrl = wsUrl ?? health;
  const svcHost = serviceUrl?.hostname ?? name;
  const svcPort = serviceUrl ? urlPort(serviceUrl) : undefined;
  const publicHost = publicUrl?.hostname ?? p.publicHost;
  const steps: ManualStep[] = [];

  const pressure = latencyResourcePressure.assess(byId, p);
  const disconnects = highDisconnectionRate.assess(byId, p);
  if (pressure || disconnects) {
    // Raise max_connections only when the connections are what is near it: with CPU or latency pressure, more
    // connections per pod would make it worse. Doubling is a step an operator can reason about; below the
    // runbook's own 10000, go to 10000 first (as connection-errors does).
    const raise = s.connectionsBad;
    const maxConnections = raise ? (p.maxConnections < RUNBOOK_MAX_CONNECTIONS ? RUNBOOK_MAX_CONNECTIONS : p.maxConnections * 2) : p.maxConnections;
    // The runbook writes `\\n` inside single quotes, which puts a literal backslash-n into the YAML; building the
    // patch as JSON gives real newlines.
    const websocketYaml = `max_connections: ${maxConnections}\nheartbeat_interval: ${p.heartbeatIntervalSeconds}\nconnection_timeout: ${p.connectionTimeoutSeconds}\nmax_message_size: ${p.maxMessageSize}`;
    const poolYaml = `max_pool_size: ${p.maxPoolSize}\npool_timeout: ${p.poolTimeoutSeconds}\nmax_idle_time: ${p.maxIdleTimeSeconds}`;
    const cm = `configmap ${p.configMap} -n ${ns}`;
    const patch = (data: Record<string, string>) => `kubectl patch ${cm} -p '${JSON.stringify({ data })}'`;
    // `--dry-run=server -o yaml` prints the ConfigMap as the patch would leave it: diffed against today's, it shows
    // every value it changes and every key of websocket.yaml it would drop.
    const preview = (data: Record<string, string>) => `diff <(kubectl get ${cm} -o yaml) <(${patch(data)} --dry-run=server -o yaml)`;
    const websocketData = { 'websocket.yaml': websocketYaml };
    const poolData = { 'connection_pool.yaml': poolYaml };
    steps.push({
      title: raise
        ? `Raise max_connections to ${fmtNumber(maxConnections)} and adjust connection pooling (Step 3)`
        : 'Adjust the WebSocket configuration and connection pooling (Step 3)',
      why:
        `${(disconnects ?? pressure)!.explanation} ` +
        (raise
          ? `Connections are near max_connections ${fmtNumber(p.maxConnections)} (params.maxConnections), so the patch doubles it; update params.maxConnections in the catalog to match. `
          : `max_connections stays at ${fmtNumber(p.maxConnections)} (params.maxConnections): connections are not what is short. `) +
        `A patch replaces the whole websocket.yaml key: read the current ConfigMap first and diff it against the patched one (the second command) before applying, so no value you did not mean to change is lost.`,
      commands: [
        `kubectl get ${cm} -o yaml`,
        preview(websocketData),
        patch(websocketData),
        `kubectl get ${cm} -o yaml | grep connection_pool`,
        preview(poolData),
        patch(poolData),
        `kubectl rollout restart ${workload} -n ${ns}`,
      ],
    });
  }

  const proxy = handshakeFailingAtProxy.assess(byId, p);
  const app = handshakeFailingInApp.assess(byId, p);
  const down = serviceDown.assess(byId, p);
  // Without a public URL to compare, an in-cluster failure may still be the proxy's: hand over both looks.
  const proxyUnknown = app !== undefined && !s.publicHandshake;
  if (proxy || proxyUnknown || (down && s.allReady)) {
    steps.push({
      title: 'Check the Service, ingress and network policies (Step 2)',
      why: `${(proxy ?? app ?? down)!.explanation} These objects sit between clients and the pods; reading and changing them is a network decision.`,
      commands: [
        `kubectl get service ${name} -n ${ns} -o yaml`,
        `kubectl get ingress ${p.ingress} -n ${ns} -o yaml`,
        `kubectl get networkpolicy -n ${ns}`,
        ...(svcPort !== undefined ? [`kubectl exec -it ${workload} -n ${ns} -- nc -zv ${svcHost} ${svcPort}`] : []),
      ],
    });
    steps.push({
      title: 'Check TLS and the proxy configuration (Step 4)',
      why: 'A proxy that does not pass Upgrade/Connection headers, or a certificate that does not match, breaks the handshake while plain HTTP works.',
      commands: [
        // Not `-o yaml`: that would print the private key into a terminal (or a Slack thread).
        `kubectl get secret ${p.tlsSecret} -n ${ns} -o jsonpath='{.data.tls\\.crt}' | base64 -d | openssl x509 -noout -subject -enddate`,
        ...(svcPort !== undefined ? [`kubectl exec -it ${workload} -n ${ns} -- openssl s_client -connect ${svcHost}:${svcPort} -servername ${publicHost}`] : []),
        'kubectl exec -it deployment/nginx-ingress -n ingress-nginx -- cat /etc/nginx/nginx.conf | grep -A 10 websocket',
        `curl -I -H "Connection: Upgrade" -H "Upgrade: websocket" ${publicUrl ? publicUrl.href.replace(/^ws/, 'http') : `http://${publicHost}${wsUrl?.pathname ?? '/ws'}`}`,
      ],
    });
  }

  // Pods reported ready while the service does not answer: the readiness probe is missing or checks the wrong thing.
  if (s.allReady && (s.healthDown || s.handshakeNoAnswer) && health) {
    // The probe is sent to the pod, not the Service: its port is the container's, read from the pod template (and
    // the Service's targetPort) by the workload check. Without it, the Service URL's port stands in, with a warning.
    const known = s.probePort;
    const probeContainer = known?.container ?? container;
    // The health URL's port is the Service's: it stands in only when the pod template does not say.
    const servicePort = urlPort(health);
    const probePort = known?.port ?? servicePort;
    const probe = (initialDelaySeconds: number, periodSeconds: number) => ({ httpGet: { path: health.pathname, port: probePort }, initialDelaySeconds, periodSeconds });
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: probeContainer,
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
      why:
        `All ${s.pods!.pods} pods are Ready, yet ${s.healthDown ? 'the health endpoint' : 'the WebSocket endpoint'} does not answer: without a probe on ${health.pathname}, Kubernetes keeps sending traffic to broken pods. ` +
        (known
          ? probePortWhy(known, health.pathname)
          : `The probe's port must be the container's port (its containerPort, or the port's name), not the Service's: ${servicePort} is taken from the catalog's Service URL, so check it with the first command and replace it if they differ. `) +
        'Changing the pod spec is a deploy decision, so it is not a button.',
      commands: [
        `kubectl get ${workload} -n ${ns} -o jsonpath='{.spec.template.spec.containers[?(@.name=="${probeContainer}")].ports}'`,
        `kubectl patch ${workload.replace('/', ' ')} -n ${ns} -p '${JSON.stringify(patch)}'`,
        `kubectl rollout status ${workload} -n ${ns}`,
      ],
    });
  }
  return steps;
}

/** Where the probe's port comes from, in a sentence or two. */
function probePortWhy(pp: ProbePort, path: string): string {
  const named = `${pp.port}${pp.portName ? ` ("${pp.portName}")` : ''}`;
  const svc = pp.service;
  switch (pp.basis) {
    case 'service-target':
      return `The probe goes to the pod, so it names the container's port: ${named}, the containerPort of container ${pp.container} that Service ${svc!.name}'s port ${svc!.port} targets (targetPort ${String(svc!.targetPort)}). `;
    case 'only-tcp-port':
    case 'first-tcp-port': {
      const which =
        pp.basis === 'only-tcp-port'
          ? `container ${pp.container}'s only TCP containerPort`
          : `the first of container ${pp.container}'s TCP containerPorts (${pp.tcpPorts.join(', ')})`;
      const unmatched = svc ? `; Service ${svc.name}'s port ${svc.port} targets ${String(svc.targetPort)}, which it does not declare` : '';
      const check = pp.basis === 'first-tcp-port' || svc ? `, so check with the first command that ${pp.port} is the port serving ${path}` : '';
      return `The probe goes to the pod, so it names the container's port: ${named}, ${which}${unmatched}${check}. `;
    }
  }
}
