import type { ContainerPort, ContainerSummary, ServicePortMapping } from '../../integrations/k8s/k8s-cluster.js';

/** The port a readiness/liveness probe on the health path should name: the container's, not the Service's. */
export interface ProbePort {
  /** The containerPort. */
  port: number;
  /** Its name in the pod spec, when it has one. */
  portName?: string;
  /** The container the probe goes on: the catalog's k8s.container, else the pod template's first. */
  container: string;
  /**
   * How the port was picked: the one the Service's targetPort names (by number or port name), else the
   * container's only TCP port, else the first of several.
   */
  basis: 'service-target' | 'only-tcp-port' | 'first-tcp-port';
  /** The Service port the catalog's health URL reaches, and where it sends connections. */
  service?: { name: string; port: number; targetPort: number | string };
  /** The container's TCP containerPorts, in spec order. */
  tcpPorts: number[];
}

export interface ProbePortInputs {
  /** The pod template's containers (WorkloadStatus.containers). */
  containers: ContainerSummary[];
  /** The catalog's k8s.container. */
  container: string | undefined;
  /** The Service the health URL points at, when it was read. */
  service: { name: string; portMappings: ServicePortMapping[] } | undefined;
  /** The health URL's port: the Service port it connects to. */
  servicePort: number;
}

const isTcp = (p: { protocol?: string }) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP';

/** The containerPort for the probe, or undefined when the pod template does not say (no such container, no TCP port). */
export function resolveProbePort(inputs: ProbePortInputs): ProbePort | undefined {
  const c = inputs.container ? inputs.containers.find((x) => x.name === inputs.container) : inputs.containers[0];
  if (!c) return undefined;
  const tcp = c.ports.filter(isTcp);
  if (tcp.length === 0) return undefined;
  const mappings = inputs.service?.portMappings.filter(isTcp) ?? [];
  const mapping = mappings.find((m) => m.port === inputs.servicePort) ?? (mappings.length === 1 ? mappings[0] : undefined);
  const service = inputs.service && mapping ? { name: inputs.service.name, port: mapping.port, targetPort: mapping.targetPort } : undefined;
  const pick = (p: ContainerPort, basis: ProbePort['basis']): ProbePort => ({
    port: p.containerPort,
    ...(p.name ? { portName: p.name } : {}),
    container: c.name,
    basis,
    ...(service ? { service } : {}),
    tcpPorts: tcp.map((x) => x.containerPort),
  });
  if (service) {
    const t = service.targetPort;
    const targeted = tcp.find((p) => (typeof t === 'number' ? p.containerPort === t : p.name === t));
    if (targeted) return pick(targeted, 'service-target');
  }
  return pick(tcp[0]!, tcp.length === 1 ? 'only-tcp-port' : 'first-tcp-port');
}

/** The Kubernetes Service a URL names (`websocket.vitalstream.svc` → websocket), else undefined (an IP, localhost). */
export function serviceNameFromUrl(url: URL): string | undefined {
  const host = url.hostname;
  if (host === '' || host === 'localhost' || /^[\d.]+$/.test(host) || host.startsWith('[')) return undefined;
  return host.split('.')[0];
}
