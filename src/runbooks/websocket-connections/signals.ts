import type { FindingsById } from '../types.js';
import { measured } from '../shared/finding-data.js';
import { isBad } from '../shared/finding-data.js';
import { WORKLOAD, type WorkloadData } from '../shared/k8s-workload/workload-check.js';
import { HEALTH, PODS } from './checks/health.js';
import { DETAILED_HEALTH } from './checks/detailed-health.js';
import { HANDSHAKE } from './checks/handshake.js';
import { ACTIVE_CONNECTIONS } from './checks/active-connections.js';
import { DISCONNECTIONS, type DisconnectionsData } from './checks/disconnections.js';
import { MESSAGE_LATENCY } from './checks/message-latency.js';
import { WS_CONNECTION_ERRORS } from './checks/connection-errors.js';
import { CPU } from './checks/cpu.js';

interface PodsData {
  pods: number;
  notReady: number;
  oomKilled: number;
  maxRestarts: number;
}

interface HandshakeData {
  outcome: string;
  upgraded: boolean;
  handshakeStatus?: number;
  closeCode?: number;
}

const NO_ANSWER = new Set(['refused', 'timeout', 'dns', 'reset', 'tls', 'error']);

/** The findings, read once into the facts the causes, remediations and manual steps reason over. */
export function readSignals(byId: FindingsById) {
  const pods = measured<PodsData>(byId, PODS)?.data;
  const workload = measured<WorkloadData>(byId, WORKLOAD)?.data;
  const health = byId.get(HEALTH);
  const healthRan = health !== undefined && !health.skipped && health.status !== 'error';
  const healthOutcome = healthRan ? (health.data.outcome as string | undefined) : undefined;
  const healthCode = healthRan ? (health.data.statusCode as number | undefined) : undefined;
  const hs = byId.get(HANDSHAKE);
  const handshake = hs && !hs.skipped && hs.status !== 'error' ? (hs.data as unknown as HandshakeData) : undefined;
  return {
    pods,
    workload,
    down:
      (pods !== undefined && (pods.pods === 0 || pods.notReady === pods.pods)) ||
      (workload !== undefined && (workload.desired === 0 || workload.ready === 0)),
    allReady: pods !== undefined && pods.pods > 0 && pods.notReady === 0,
    health,
    healthOk: healthRan && health.status === 'ok',
    healthDown: (healthOutcome !== undefined && NO_ANSWER.has(healthOutcome)) || (healthCode !== undefined && healthCode >= 500),
    detailedBad: isBad(byId.get(DETAILED_HEALTH)),
    handshakeFinding: hs,
    handshake,
    handshakeBad: isBad(hs),
    /** The upgrade got a plain HTTP answer: something in front of the app does not speak WebSocket. */
    upgradeRefused: handshake?.outcome === 'rejected',
    handshakeNoAnswer: handshake !== undefined && NO_ANSWER.has(handshake.outcome),
    connectionsBad: isBad(byId.get(ACTIVE_CONNECTIONS)),
    disconnections: measured<DisconnectionsData>(byId, DISCONNECTIONS)?.data,
    disconnectionsBad: isBad(byId.get(DISCONNECTIONS)),
    disconnectionsCrit: byId.get(DISCONNECTIONS)?.status === 'crit',
    errorsBad: isBad(byId.get(WS_CONNECTION_ERRORS)),
    latencyBad: isBad(byId.get(MESSAGE_LATENCY)),
    latencyCrit: byId.get(MESSAGE_LATENCY)?.status === 'crit',
    cpuBad: isBad(byId.get(CPU)),
  };
}

export type Signals = ReturnType<typeof readSignals>;
