import type { FindingsById } from '../types.js';
import { isBad, measured } from '../shared/finding-data.js';
import { WORKLOAD, type WorkloadData } from '../shared/k8s-workload/workload-check.js';
import { HEALTH } from './checks/health.js';
import { PODS } from './checks/pods.js';
import { CONNECTIONS, type ConnectionsData } from './checks/connections.js';
import { CONNECTION_ERRORS, type ConnectionErrorsData } from './checks/connection-errors.js';
import { LOGS, type LogsData } from './checks/logs.js';
import { EVENTS, type EventsData } from './checks/events.js';
import { SERVICE_ENDPOINTS, type ServiceEndpointsData } from './checks/service-endpoints.js';
import { CPU_THROTTLING, FILE_DESCRIPTORS, MEMORY, type CpuThrottlingData, type FileDescriptorsData, type MemoryData } from './checks/resources.js';

/** connection-drop-rate's pods check reports these. */
interface PodsData {
  pods: number;
  notReady: number;
  oomKilled: number;
  /** Containers Kubernetes reports as waiting in CrashLoopBackOff right now. */
  crashLooping?: number;
  maxRestarts: number;
}

const NO_ANSWER = new Set(['refused', 'timeout', 'dns', 'reset', 'tls', 'error']);

/** The findings, read once into the facts the causes, remediations and manual steps reason over. */
export function readSignals(byId: FindingsById) {
  const pods = measured<PodsData>(byId, PODS)?.data;
  const workload = measured<WorkloadData>(byId, WORKLOAD)?.data;
  const health = byId.get(HEALTH);
  const healthRan = health !== undefined && !health.skipped && health.status !== 'error';
  const outcome = healthRan ? (health.data.outcome as string | undefined) : undefined;
  const statusCode = healthRan ? (health.data.statusCode as number | undefined) : undefined;
  const nonePodsReady = pods !== undefined && (pods.pods === 0 || pods.notReady === pods.pods);
  const endpoints = measured<ServiceEndpointsData>(byId, SERVICE_ENDPOINTS)?.data;
  const readyPods = pods ? pods.pods - pods.notReady : workload?.ready;
  return {
    pods,
    workload,
    /** No pod (or no replica) ready at all. */
    down: nonePodsReady || (workload !== undefined && (workload.desired === 0 || workload.ready === 0)),
    allReady: pods !== undefined && pods.pods > 0 && pods.notReady === 0 && (workload === undefined || workload.ready >= workload.desired),
    health,
    healthOutcome: outcome,
    healthOk: healthRan && health.status === 'ok',
    /** No HTTP answer at all: refused, timed out, DNS, reset, TLS. */
    healthUnreachable: outcome !== undefined && NO_ANSWER.has(outcome),
    health5xx: statusCode !== undefined && statusCode >= 500,
    connections: measured<ConnectionsData>(byId, CONNECTIONS)?.data,
    connectionsBad: isBad(byId.get(CONNECTIONS)),
    errors: measured<ConnectionErrorsData>(byId, CONNECTION_ERRORS)?.data,
    errorsBad: isBad(byId.get(CONNECTION_ERRORS)),
    logs: measured<LogsData>(byId, LOGS)?.data,
    logsBad: isBad(byId.get(LOGS)),
    events: measured<EventsData>(byId, EVENTS)?.data,
    endpoints,
    /** Pods are up, yet the Service in front of them routes to none: the backend pool is empty. */
    poolEmpty: endpoints !== undefined && endpoints.ready === 0 && readyPods !== undefined && readyPods > 0,
    fds: measured<FileDescriptorsData>(byId, FILE_DESCRIPTORS)?.data,
    fdsBad: isBad(byId.get(FILE_DESCRIPTORS)),
    fdsStatus: measured(byId, FILE_DESCRIPTORS)?.finding.status,
    memory: measured<MemoryData>(byId, MEMORY)?.data,
    memoryBad: isBad(byId.get(MEMORY)),
    memoryStatus: measured(byId, MEMORY)?.finding.status,
    cpuThrottling: measured<CpuThrottlingData>(byId, CPU_THROTTLING)?.data,
    cpuThrottlingBad: isBad(byId.get(CPU_THROTTLING)),
    cpuThrottlingStatus: measured(byId, CPU_THROTTLING)?.finding.status,
  };
}

export type Signals = ReturnType<typeof readSignals>;

/** Error kinds whose name says the limit refused them. */
export function limitErrorKinds(s: Signals): Array<[string, number]> {
  return Object.entries(s.errors?.byTypePerSec ?? {}).filter(([k, v]) => v > 0 && /limit|too_?many|max|reject|refus|exhaust/i.test(k));
}

/** Out of descriptors or memory: what a restart hands back for a while (a leak), unlike a limit or a CPU quota. */
export function leakedResources(s: Signals): boolean {
  return s.fdsBad || s.memoryBad || (s.logs?.signals.tooManyOpenFiles ?? 0) > 0 || (s.logs?.signals.outOfMemory ?? 0) > 0 || (s.pods?.oomKilled ?? 0) > 0;
}

/** Crash-looping: the kubelet backs off restarting, or pods keep restarting while not ready. */
export function crashLooping(s: Signals, restartsWarn: number): boolean {
  return (
    (s.pods?.crashLooping ?? 0) > 0 ||
    (s.events?.backOff ?? 0) > 0 ||
    (s.pods !== undefined && s.pods.notReady > 0 && s.pods.maxRestarts >= restartsWarn)
  );
}
