import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';

const env = (http: Record<string, unknown>) => ({
  version: 1,
  services: { 'vitalstream-websocket': { runbooks: ['websocket-connections'], envs: { production: { http, prometheus: { url: 'http://prometheus:9090' } } } } },
});

describe('catalog: http.publicWebsocket', () => {
  it('accepts a ws:// or wss:// public URL beside the in-cluster one', () => {
    const catalog = validateCatalog(env({ websocket: 'ws://websocket:8003/ws', publicWebsocket: 'wss://websocket.vitalstream.com/ws' }));
    expect(catalog.services['vitalstream-websocket']!.envs.production!.http?.publicWebsocket).toBe('wss://websocket.vitalstream.com/ws');
  });

  it('refuses an http(s) URL, naming the path', () => {
    expect(() => validateCatalog(env({ publicWebsocket: 'https://websocket.vitalstream.com/ws' }))).toThrow(
      /services\.vitalstream-websocket\.envs\.production\.http\.publicWebsocket: must be a ws:\/\/ or wss:\/\/ URL/,
    );
  });

  it('the example catalog probes VitalStream through its public host, and names the kube context of its k8s targets', () => {
    const example = validateCatalog(parse(readFileSync('manifests/catalog.example.yaml', 'utf8')));
    const vitalstream = example.services['vitalstream-websocket']!.envs.production!;
    expect(vitalstream.http?.publicWebsocket).toBe('wss://websocket.vitalstream.com/ws');
    expect(vitalstream.k8s?.context).toBe('prod');
    expect(example.services.tickstorm!.envs.prod!.k8s?.context).toBe('prod');
  });
});
