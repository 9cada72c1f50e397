import type { FindingsById } from '../types.js';
import type { Finding } from '../../domain/finding.js';
import { isBad, measured } from '../shared/finding-data.js';
import { WORKLOAD, type WebSocketWorkloadData } from './checks/workload.js';
import { HEALTH, PODS } from './checks/health.js';
import { DETAILED_HEALTH } from './checks/detailed-health.js';
import { HANDSHAKE, PUBLIC_HANDSHAKE } from './checks/handshake.js';
import { ACTIVE_CONNECTIONS } from './checks/active-connections.js';
import { DISCONNECTIONS, type DisconnectionsData } from './checks/disconnections.js';
import { MESSAGE_LATENCY } from './checks/message-latency.js';
import { WS_CONNECTION_ERRORS } from './checks/connection-errors.js';
import { CPU, type CpuData } from './checks/cpu.js';
import { EVENTS, LOGS, MEMORY, type EventsData, type LogsData } from './checks/pod-diagnostics.js';

interface PodsData {
  pods: number;
  notReady: number;
  oomKilled: number;
  maxRestarts: number;
}

export interface HandshakeData {
  url: string;
  outcome: string;
  upgraded: boolean;
  handshakeStatus?: number;
  closeCode?: number;
}

const NO_ANSWER = new Set(['refused', 'timeout', 'dns', 'reset', 'tls', 'error']);

function handshakeData(f: Finding | undefined): HandshakeData | undefined {
  return f && !f.skipped && f.status !== 'error' && f.status !== 'unknown' ? (f.data as unknown as HandshakeData) : undefined;
}

/** The findings, read once into the facts the causes, remediations and manual steps reason over. */
export function readSignals(byId: FindingsById) {
  const pods = measured<PodsData>(byId, PODS)?.data;
  const workload = measured<WebSocketWorkloadData>(byId, WORKLOAD)?.data;
  const health = byId.get(HEALTH);
  const healthRan = health !== undefined && !health.skipped && health.status !== 'error';
  const healthOutcome = healthRan ? (health.data.outcome as string | undefined) : undefined;
  const healthCode = healthRan ? (health.data.statusCode as number | undefined) : undefined;
  const hs = byId.get(HANDSHAKE);
  const handshake = handshakeData(hs);
  const publicHs = byId.get(PUBLIC_HANDSHAKE);
  const publicHandshake = handshakeData(publicHs);
  return {
    pods,
    workload,
    down:
      (pods !== undefined && (pods.pods === 0 || pods.notReady === pods.pods)) ||
      (workload !== undefined && (workload.desired === 0 || workload.ready === 0)),
    allReady: pods !== undefined && pods.pods > 0 && pods.notReady === 0,
    /** The containerPort a probe on the health path should name, from the pod template and the Service. */
    probePort: workload?.probePort,
    health,
    healthOk: healthRan && health.status === 'ok',
    healthDown: (healthOutcome !== undefined && NO_ANSWER.has(healthOutcome)) || (healthCode !== undefined && healthCode >= 500),
    detailedBad: isBad(byId.get(DETAILED_HEALTH)),
    /** In the cluster, straight to the Service: the app's own answer. */
    handshakeFinding: hs,
    handshake,
    handshakeOk: handshake !== undefined && hs?.status === 'ok',
    handshakeBad: isBad(hs),
    /** The upgrade got a plain HTTP answer instead of 101. */
    upgradeRefused: handshake?.outcome === 'rejected',
    handshakeNoAnswer: handshake !== undefined && NO_ANSWER.has(handshake.outcome),
    /** Through the ingress / proxy, as clients connect; undefined when the catalog names no public URL. */
    publicHandshakeFinding: publicHs,
    publicHandshake,
    publicConfigured: publicHs !== undefined && !publicHs.skipped,
    publicHandshakeBad: isBad(publicHs),
    connectionsBad: isBad(byId.get(ACTIVE_CONNECTIONS)),
    disconnections: measured<DisconnectionsData>(byId, DISCONNECTIONS)?.data,
    disconnectionsBad: isBad(byId.get(DISCONNECTIONS)),
    disconnectionsCrit: byId.get(DISCONNECTIONS)?.status === 'crit',
    errorsBad: isBad(byId.get(WS_CONNECTION_ERRORS)),
    latencyBad: isBad(byId.get(MESSAGE_LATENCY)),
    latencyCrit: byId.get(MESSAGE_LATENCY)?.status === 'crit',
    cpu: measured<CpuData>(byId, CPU)?.data,
    cpuBad: isBad(byId.get(CPU)),
    memoryBad: isBad(byId.get(MEMORY)),
    logs: measured<LogsData>(byId, LOGS)?.data,
    logsBad: isBad(byId.get(LOGS)),
    events: measured<EventsData>(byId, EVENTS)?.data,
  };
}

export type Signals = ReturnType<typeof readSignals>;
