import type { Cause, CauseAssessment } from '../types.js';
import { fmtNumber } from '../shared/evidence.js';
import type { ConnectionErrorsParams } from './params.js';
import { crashLooping, limitErrorKinds, readSignals } from './signals.js';
import { WORKLOAD } from '../shared/k8s-workload/workload-check.js';
import { HEALTH } from './checks/health.js';
import { PODS } from './checks/pods.js';
import { CONNECTIONS } from './checks/connections.js';
import { CONNECTION_ERRORS } from './checks/connection-errors.js';
import { LOGS } from './checks/logs.js';
import { EVENTS } from './checks/events.js';
import { SERVICE_ENDPOINTS } from './checks/service-endpoints.js';
import { CPU_THROTTLING, FILE_DESCRIPTORS, MEMORY } from './checks/resources.js';

const capped = (x: number, max = 0.95) => Math.round(Math.min(max, x) * 100) / 100;

/** Cause 1, Service Down: crashed, OOM killed, stopped (or scaled to zero). */
export const serviceDown: Cause<ConnectionErrorsParams> = {
  id: 'service-down',
  title: 'Service down (crashed, OOM killed or stopped)',
  assess(byId, p): CauseAssessment | undefined {
    const s = readSignals(byId);
    const reasons: string[] = [];
    const supportedBy: string[] = [];
    let confidence: number;
    if (s.down) {
      confidence = 0.8;
      if (s.workload?.desired === 0) reasons.push(`${s.workload.kind}/${s.workload.name} is scaled to 0`);
      else if (s.pods) reasons.push(`no pod ready (${s.pods.pods - s.pods.notReady}/${s.pods.pods})`);
      else reasons.push(`no replica ready (${s.workload?.ready ?? 0}/${s.workload?.desired ?? '?'})`);
    } else if (s.pods && s.pods.notReady > 0) {
      confidence = 0.35;
      reasons.push(`${s.pods.notReady} of ${s.pods.pods} pods not ready`);
    } else if (!s.pods && s.healthOutcome === 'refused') {
      // Nothing listens and there is no Kubernetes view to say whether the process runs.
      confidence = 0.5;
      reasons.push('the health endpoint refuses connections');
    } else {
      return undefined;
    }
    supportedBy.push(...(s.pods ? [PODS] : []), ...(s.workload ? [WORKLOAD] : []));
    if (crashLooping(s, p.podRestartsWarn)) {
      confidence += 0.1;
      reasons.push(`crash-looping (${s.events?.backOff ? `${s.events.backOff} BackOff events, ` : ''}up to ${s.pods?.maxRestarts ?? '?'} restarts)`);
      if (s.events?.backOff) supportedBy.push(EVENTS);
    }
    if (s.pods && s.pods.oomKilled > 0) reasons.push(`${s.pods.oomKilled} pod(s) last terminated OOMKilled`);
    if (s.healthUnreachable || s.health5xx) {
      confidence += 0.05;
      reasons.push(`health endpoint ${s.health5xx ? `answers HTTP ${String(s.health?.data.statusCode)}` : s.healthOutcome}`);
      supportedBy.push(HEALTH);
    }
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy: [...new Set(supportedBy)] };
  },
};

/** Cause 2, Connection Limit Reached: too many concurrent connections for max_connections. */
export const connectionLimitReached: Cause<ConnectionErrorsParams> = {
  id: 'connection-limit-reached',
  title: 'Connection limit reached',
  assess(byId, p): CauseAssessment | undefined {
    const s = readSignals(byId);
    const reasons: string[] = [];
    const supportedBy: string[] = [];
    let confidence = 0;
    const c = s.connections;
    if (c && c.pct >= p.connectionsWarnPct) {
      confidence = c.pct >= p.connectionsCritPct ? 0.8 : 0.55;
      reasons.push(`${c.pod ? `${c.pod} holds ` : ''}${fmtNumber(c.current)} of max_connections ${fmtNumber(c.maxConnections)} open (${fmtNumber(c.pct, 1)}%)`);
      supportedBy.push(CONNECTIONS);
    }
    const tooMany = s.logs?.signals.tooManyConnections ?? 0;
    if (tooMany > 0) {
      confidence = Math.max(confidence, 0.45) + 0.15;
      reasons.push(`${tooMany} "too many connections" log line(s)`);
      supportedBy.push(LOGS);
    }
    const limitKinds = limitErrorKinds(s);
    if (limitKinds.length > 0 && confidence > 0) {
      confidence += 0.1;
      reasons.push(`errors of kind ${limitKinds.map(([k, v]) => `${k} ${fmtNumber(v, 3)}/s`).join(', ')}`);
      supportedBy.push(CONNECTION_ERRORS);
    }
    if (confidence === 0) return undefined;
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

/** Cause 3, Resource Exhaustion: out of memory, out of file descriptors, CPU throttling. */
export const resourceExhaustion: Cause<ConnectionErrorsParams> = {
  id: 'resource-exhaustion',
  title: 'Resource exhaustion (memory, file descriptors, CPU throttling)',
  assess(byId): CauseAssessment | undefined {
    const s = readSignals(byId);
    const reasons: string[] = [];
    const supportedBy: string[] = [];
    let confidence = 0;
    const add = (weight: number, reason: string, check: string) => {
      confidence = confidence === 0 ? weight : confidence + 0.1;
      reasons.push(reason);
      supportedBy.push(check);
    };
    if (s.pods && s.pods.oomKilled > 0) add(0.7, `${s.pods.oomKilled} pod(s) last terminated OOMKilled`, PODS);
    if (s.events && s.events.oomKilling > 0) add(0.7, `${s.events.oomKilling} OOM warning event(s)`, EVENTS);
    const fds = s.logs?.signals.tooManyOpenFiles ?? 0;
    if (fds > 0) add(0.7, `${fds} "too many open files" log line(s): out of file descriptors`, LOGS);
    const oomLines = s.logs?.signals.outOfMemory ?? 0;
    if (oomLines > 0) add(0.5, `${oomLines} out-of-memory log line(s)`, LOGS);
    if (s.fds && s.fdsBad) {
      const at = `${fmtNumber(s.fds.worstOpen)} of ${fmtNumber(s.fds.worstMax)} file descriptors open (${fmtNumber(s.fds.worstPct, 1)}%)`;
      add(s.fdsStatus === 'crit' ? 0.75 : 0.45, s.fdsStatus === 'crit' ? `${at}: at the nofile limit` : `${at}: near the nofile limit`, FILE_DESCRIPTORS);
    }
    if (s.memory && s.memoryBad) {
      add(s.memoryStatus === 'crit' ? 0.6 : 0.35, `memory at ${fmtNumber(s.memory.worstPct, 1)}% of its limit`, MEMORY);
    }
    if (s.cpuThrottling && s.cpuThrottlingBad) {
      const t = s.cpuThrottling;
      add(s.cpuThrottlingStatus === 'crit' ? 0.55 : 0.35, `${t.worstPod} CPU-throttled in ${fmtNumber(t.worstPct, 1)}% of periods`, CPU_THROTTLING);
    }
    if (confidence === 0) return undefined;
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy: [...new Set(supportedBy)] };
  },
};

/** Cause 4, Network Issues: the pods are up, yet the health endpoint gets no answer (firewall, DNS, congestion). */
export const networkIssues: Cause<ConnectionErrorsParams> = {
  id: 'network-issues',
  title: 'Network issues (firewall, DNS, congestion)',
  assess(byId): CauseAssessment | undefined {
    const s = readSignals(byId);
    if (!s.healthUnreachable) return undefined;
    // A Service with no ready endpoints refuses every connection: the backend pool, not the network.
    if (s.poolEmpty) return undefined;
    const reasons = [`the health endpoint ${String(s.health?.summary ?? s.healthOutcome)}`];
    const supportedBy = [HEALTH];
    let confidence: number;
    if (s.allReady) {
      confidence = s.healthOutcome === 'dns' ? 0.8 : 0.7;
      reasons.push(`while all ${s.pods!.pods} pods are ready`);
      supportedBy.push(PODS);
    } else if (!s.pods) {
      confidence = 0.4;
    } else {
      // Pods down explain an unreachable endpoint better than the network does.
      return undefined;
    }
    if (s.healthOutcome === 'dns') reasons.push('the service name does not resolve');
    const netLines = (s.logs?.signals.dns ?? 0) + (s.logs?.signals.timeout ?? 0);
    if (netLines > 0) {
      confidence += 0.1;
      reasons.push(`${netLines} timeout/DNS log line(s)`);
      supportedBy.push(LOGS);
    }
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

/**
 * Cause 5, Load Balancer Issues. "Backend pool empty" is read directly: the Service's EndpointSlices list no ready
 * pod while pods are up (its selector no longer matches them). Otherwise, every pod ready and the health endpoint
 * answering while connections keep failing leaves the path in front of the pods — the cloud load balancer and its
 * health checks, which connbot cannot see.
 */
export const loadBalancerIssues: Cause<ConnectionErrorsParams> = {
  id: 'load-balancer-issues',
  title: 'Load balancer issues (misconfigured, health checks failing, empty backend pool)',
  assess(byId): CauseAssessment | undefined {
    const s = readSignals(byId);
    const ep = s.endpoints;
    if (s.poolEmpty && ep) {
      const up = s.pods ? `${s.pods.pods - s.pods.notReady} pod(s) are ready` : `${s.workload?.ready ?? '?'} replica(s) are ready`;
      const reasons = [
        `Service ${ep.service} has no ready endpoints while ${up}: the backend pool is empty` +
          (ep.selector ? ` (the Service selects ${ep.selector})` : ' (the Service has no selector: its endpoints are managed by hand)'),
      ];
      const supportedBy = [SERVICE_ENDPOINTS, ...(s.pods ? [PODS] : [WORKLOAD])];
      if (s.healthUnreachable) {
        reasons.push(`the health endpoint through the Service ${s.healthOutcome === 'refused' ? 'is refused' : `fails (${String(s.healthOutcome)})`}`);
        supportedBy.push(HEALTH);
      }
      return { confidence: 0.9, explanation: `${reasons.join('; ')}.`, supportedBy };
    }
    const lbPending = ep !== undefined && ep.type === 'LoadBalancer' && ep.loadBalancerIngress.length === 0;
    if (lbPending && ep && (s.errorsBad || s.healthUnreachable)) {
      return {
        confidence: 0.5,
        explanation: `Service ${ep.service} is of type LoadBalancer but no load balancer is provisioned (EXTERNAL-IP pending): clients outside the cluster have nothing to connect to.`,
        supportedBy: [SERVICE_ENDPOINTS, ...(s.errorsBad ? [CONNECTION_ERRORS] : [])],
      };
    }
    if (!s.allReady || !s.healthOk) return undefined;
    const reasons = [`all ${s.pods!.pods} pods ready and the health endpoint answers, yet`];
    const supportedBy = [PODS, HEALTH];
    const persisting: string[] = [];
    if (s.errorsBad && s.errors) {
      persisting.push(`${fmtNumber(s.errors.totalPerSec, 3)} connection errors/s`);
      supportedBy.push(CONNECTION_ERRORS);
    }
    if (s.logsBad && s.logs) {
      persisting.push(`${s.logs.errorLines} error log line(s)`);
      supportedBy.push(LOGS);
    }
    if (persisting.length === 0) return undefined;
    reasons[0] += ` ${persisting.join(' and ')}`;
    let confidence = 0.5;
    // Errors the pods explain themselves (at max_connections, out of descriptors, throttled) leave less to the LB.
    if (s.connectionsBad) confidence -= 0.2;
    if (s.fdsBad || s.memoryBad || s.cpuThrottlingBad) confidence -= 0.2;
    if (s.events && s.events.unhealthy > 0) {
      confidence += 0.15;
      reasons.push(`${s.events.unhealthy} probe failure event(s): pods drop in and out of the Service's endpoints`);
      supportedBy.push(EVENTS);
    }
    return { confidence: capped(confidence), explanation: `${reasons.join('; ')}.`, supportedBy };
  },
};

export const causes: Cause<ConnectionErrorsParams>[] = [serviceDown, connectionLimitReached, resourceExhaustion, networkIssues, loadBalancerIssues];
