import type { Cause, CauseAssessment } from '../types.js';
import { WORKLOAD } from '../shared/k8s-workload/workload-check.js';
import type { WebSocketParams } from './params.js';
import { readSignals } from './signals.js';
import { HEALTH, PODS } from './checks/health.js';
import { DETAILED_HEALTH } from './checks/detailed-health.js';
import { HANDSHAKE, PUBLIC_HANDSHAKE } from './checks/handshake.js';
import { EVENTS, LOGS, MEMORY } from './checks/pod-diagnostics.js';
import { DISCONNECTIONS } from './checks/disconnections.js';
import { WS_CONNECTION_ERRORS } from './checks/connection-errors.js';
import { MESSAGE_LATENCY } from './checks/message-latency.js';
import { CPU } from './checks/cpu.js';
import { ACTIVE_CONNECTIONS } from './checks/active-connections.js';
import { topRates } from './rates.js';

const capped = (x: number, max = 0.95) => Math.round(Math.min(max, x) * 100) / 100;

/** "Check Service Status": the service is not running or not answering at all. */
export const serviceDown: Cause<WebSocketParams> = {
  id: 'service-down',
  title: 'WebSocket service down',
  assess(byId): CauseAssessment | undefined {
    const s = readSignals(byId);
    const reasons: string[] = [];
    const supportedBy: string[] = [];
    let confidence = 0;
    if (s.down) {
      confidence = 0.8;
      reasons.push(s.pods ? `no pod ready (${s.pods.pods - s.pods.notReady}/${s.pods.pods})` : `no replica ready (${s.workload?.ready ?? 0}/${s.workload?.desired ?? '?'})`);
      supportedBy.push(...(s.pods ? [PODS] : []), ...(s.workload ? [WORKLOAD] : []));
    }
    if (s.healthDown) {
      confidence = confidence === 0 ? (s.allReady ? 0.4 : 0.6) : confidence + 0.1;
      reasons.push(`health endpoint: ${s.health?.summary ?? 'no answer'}`);
      supportedBy.push(HEALTH);
    }
    if (confidence > 0 && s.handshakeNoAnswer) {
      confidence += 0.05;
      reasons.push(`WebSocket endpoint: ${s.handshakeFinding?.summary ?? 'no answer'}`);
      supportedBy.push(HANDSHAKE);
    }
    if (confidence === 0) return undefined;
    if (s.pods && s.pods.oomKilled > 0) reasons.push(`${s.pods.oomKilled} pod(s) last terminated OOMKilled`);
    if (s.events && s.events.backOff + s.events.unhealthy > 0) {
      reasons.push(`Kubernetes events: ${s.events.unhealthy} probe failure(s), ${s.events.backOff} back-off(s)`);
      supportedBy.push(EVENTS);
    }
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

/**
 * Step 4.2 "Check Proxy Configuration": the upgrade fails through the public URL (ingress, proxy, load balancer)
 * while the same handshake straight to the Service in the cluster works — so the app speaks WebSocket and
 * something in front of it does not pass `Upgrade`/`Connection`, or times it out. Only then is the proxy blamed.
 */
export const handshakeFailingAtProxy: Cause<WebSocketParams> = {
  id: 'handshake-failing-at-proxy',
  title: 'WebSocket handshake failing at the proxy / ingress',
  assess(byId): CauseAssessment | undefined {
    const s = readSignals(byId);
    if (!s.publicHandshake || !s.publicHandshakeBad || !s.handshakeOk) return undefined;
    const supportedBy = [PUBLIC_HANDSHAKE, HANDSHAKE];
    const reasons = [`through ${s.publicHandshake.url}: ${s.publicHandshakeFinding!.summary}`];
    let confidence: number;
    if (s.publicHandshake.outcome === 'rejected') {
      confidence = 0.8;
      reasons.push(`answered with HTTP ${s.publicHandshake.handshakeStatus ?? '?'} instead of 101`);
    } else if (s.publicHandshake.outcome === 'timeout') {
      confidence = 0.7;
    } else {
      confidence = 0.6;
    }
    reasons.push(`while in the cluster ${s.handshake!.url} upgrades and answers the ping (${s.handshakeFinding!.summary})`);
    if (s.healthOk) {
      confidence += 0.05;
      supportedBy.push(HEALTH);
    }
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

/**
 * "Test WebSocket Connection" fails in the cluster, straight to the Service, while the service is up: the app's
 * WebSocket endpoint itself is refusing, closing or not answering. Without a public URL to compare, a proxy in
 * front cannot be ruled in or out, and the explanation says so.
 */
export const handshakeFailingInApp: Cause<WebSocketParams> = {
  id: 'handshake-failing-in-app',
  title: 'WebSocket endpoint failing in the service',
  assess(byId): CauseAssessment | undefined {
    const s = readSignals(byId);
    if (!s.handshake || !s.handshakeBad || s.healthDown || s.down) return undefined;
    const supportedBy = [HANDSHAKE];
    const reasons = [`in the cluster ${s.handshake.url}: ${s.handshakeFinding!.summary}`];
    let confidence = s.upgradeRefused || s.handshakeNoAnswer || s.handshake.outcome === 'closed' ? 0.65 : 0.5;
    if (s.upgradeRefused) reasons.push(`answered with HTTP ${s.handshake.handshakeStatus ?? '?'} instead of 101`);
    if (s.healthOk) {
      reasons.push('while the plain HTTP health endpoint answers');
      supportedBy.push(HEALTH);
    }
    if (s.publicHandshake) {
      // Failing both ways is the app for sure; failing only in the cluster is odd (clients get through), so less sure.
      confidence += s.publicHandshakeBad ? 0.15 : -0.15;
      reasons.push(
        s.publicHandshakeBad
          ? `it fails through the public URL as well (${s.publicHandshakeFinding!.summary}), so the proxy only passes the app's failure on`
          : `yet through the public URL it works (${s.publicHandshakeFinding!.summary})`,
      );
      supportedBy.push(PUBLIC_HANDSHAKE);
    } else {
      reasons.push('the catalog names no http.publicWebsocket to try through the proxy, so a proxy or ingress fault cannot be told apart from the app\'s');
    }
    if (s.logsBad && s.logs) {
      confidence += 0.05;
      reasons.push(`${s.logs.errorLines} error line(s) in the pod logs`);
      supportedBy.push(LOGS);
    }
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

/** Alert WebSocketConnectionErrors: clients are being disconnected; the reasons say by whom. */
export const highDisconnectionRate: Cause<WebSocketParams> = {
  id: 'high-disconnection-rate',
  title: 'High disconnection rate',
  assess(byId, p): CauseAssessment | undefined {
    const s = readSignals(byId);
    if (!s.disconnectionsBad || !s.disconnections) return undefined;
    const rows = Object.entries(s.disconnections.byReason).sort((a, b) => b[1] - a[1]);
    const supportedBy = [DISCONNECTIONS];
    const reasons = [`${s.disconnections.totalPerSec.toFixed(2)} disconnections/s (warn ${p.disconnectionsWarnPerSec}/s): ${topRates(rows)}`];
    let confidence = s.disconnectionsCrit ? 0.75 : 0.5;
    if (s.errorsBad) {
      confidence += 0.1;
      reasons.push(`connection errors: ${byId.get(WS_CONNECTION_ERRORS)!.summary}`);
      supportedBy.push(WS_CONNECTION_ERRORS);
    }
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

/** "Check Resource Usage": messages queue up behind a busy CPU, too many connections, or restarting pods. */
export const latencyResourcePressure: Cause<WebSocketParams> = {
  id: 'latency-resource-pressure',
  title: 'Message latency and resource pressure',
  assess(byId, p): CauseAssessment | undefined {
    const s = readSignals(byId);
    const reasons: string[] = [];
    const supportedBy: string[] = [];
    let confidence = 0;
    const add = (weight: number, check: string) => {
      confidence = confidence === 0 ? weight : confidence + 0.15;
      reasons.push(byId.get(check)!.summary);
      supportedBy.push(check);
    };
    if (s.latencyBad) add(s.latencyCrit ? 0.6 : 0.45, MESSAGE_LATENCY);
    if (s.cpuBad) add(0.5, CPU);
    if (s.memoryBad) add(0.45, MEMORY);
    if (s.connectionsBad) add(0.45, ACTIVE_CONNECTIONS);
    if (s.pods && (s.pods.oomKilled > 0 || s.pods.maxRestarts >= p.podRestartsWarn) && confidence > 0) {
      confidence += 0.1;
      reasons.push(`pods restarting (${s.pods.oomKilled} OOMKilled, up to ${s.pods.maxRestarts} restarts)`);
      supportedBy.push(PODS);
    }
    if (s.events && s.events.oomKilling > 0 && confidence > 0) {
      reasons.push(`${s.events.oomKilling} OOM kill event(s)`);
      supportedBy.push(EVENTS);
    }
    if (s.detailedBad && confidence > 0) {
      reasons.push(`detailed health: ${byId.get(DETAILED_HEALTH)!.summary}`);
      supportedBy.push(DETAILED_HEALTH);
    }
    if (confidence === 0) return undefined;
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

export const causes: Cause<WebSocketParams>[] = [serviceDown, handshakeFailingAtProxy, handshakeFailingInApp, highDisconnectionRate, latencyResourcePressure];
