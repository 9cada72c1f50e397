import { describe, expect, it } from 'vitest';
import { resolveProbePort, serviceNameFromUrl, type ProbePortInputs } from '../../../src/runbooks/websocket-connections/probe-port.js';

const base: ProbePortInputs = {
  containers: [
    { name: 'websocket', ports: [{ name: 'http', containerPort: 8080 }, { name: 'ws', containerPort: 8003 }] },
    { name: 'sidecar', ports: [{ name: 'admin', containerPort: 15000 }] },
  ],
  container: undefined,
  service: undefined,
  servicePort: 8003,
};

describe('the containerPort for a probe on the health path', () => {
  it('prefers the port the Service targets by number, the Service port picked by the health URL\'s port', () => {
    const service = {
      name: 'websocket',
      portMappings: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'ws', port: 8003, protocol: 'TCP', targetPort: 8003 },
      ],
    };
    expect(resolveProbePort({ ...base, service })).toEqual({
      port: 8003,
      portName: 'ws',
      container: 'websocket',
      basis: 'service-target',
      service: { name: 'websocket', port: 8003, targetPort: 8003 },
      tcpPorts: [8080, 8003],
    });
    expect(resolveProbePort({ ...base, service, servicePort: 80 })).toMatchObject({ port: 8080, basis: 'service-target' });
  });

  it('follows a targetPort that names a container port', () => {
    const service = { name: 'websocket', portMappings: [{ port: 80, protocol: 'TCP', targetPort: 'http' }] };
    // The only Service port counts even when the URL's port is another (a port-forward, a NodePort).
    expect(resolveProbePort({ ...base, service, servicePort: 31000 })).toMatchObject({ port: 8080, portName: 'http', basis: 'service-target' });
  });

  it('falls back to the only, else the first, TCP port, and keeps a targetPort the container does not declare', () => {
    const single = { ...base, containers: [{ name: 'websocket', ports: [{ name: 'stats', containerPort: 8125, protocol: 'UDP' }, { containerPort: 8003 }] }] };
    expect(resolveProbePort(single)).toEqual({ port: 8003, container: 'websocket', basis: 'only-tcp-port', tcpPorts: [8003] });
    const service = { name: 'websocket', portMappings: [{ port: 8003, protocol: 'TCP', targetPort: 9000 }] };
    expect(resolveProbePort({ ...single, service })).toMatchObject({ port: 8003, basis: 'only-tcp-port', service: { targetPort: 9000 } });
    expect(resolveProbePort(base)).toMatchObject({ port: 8080, basis: 'first-tcp-port', tcpPorts: [8080, 8003] });
  });

  it('uses the catalog\'s k8s.container, and knows nothing when that container or any TCP port is missing', () => {
    expect(resolveProbePort({ ...base, container: 'sidecar' })).toMatchObject({ port: 15000, container: 'sidecar', basis: 'only-tcp-port' });
    expect(resolveProbePort({ ...base, container: 'nginx' })).toBeUndefined();
    expect(resolveProbePort({ ...base, containers: [{ name: 'websocket', ports: [] }] })).toBeUndefined();
    expect(resolveProbePort({ ...base, containers: [{ name: 'websocket', ports: [{ containerPort: 8125, protocol: 'UDP' }] }] })).toBeUndefined();
    expect(resolveProbePort({ ...base, containers: [] })).toBeUndefined();
  });

  it('names the Service from a DNS host only', () => {
    expect(serviceNameFromUrl(new URL('http://websocket.vitalstream.svc.cluster.local:8003/health'))).toBe('websocket');
    expect(serviceNameFromUrl(new URL('http://websocket:8003/health'))).toBe('websocket');
    expect(serviceNameFromUrl(new URL('http://10.0.5.11:8003/health'))).toBeUndefined();
    expect(serviceNameFromUrl(new URL('http://[::1]:8003/health'))).toBeUndefined();
    expect(serviceNameFromUrl(new URL('http://localhost:8003/health'))).toBeUndefined();
  });
});
