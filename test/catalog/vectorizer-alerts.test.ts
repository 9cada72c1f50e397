import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load-catalog.js';
import { routeAlert } from '../../src/alerts/route-alert.js';
import type { PrometheusAlert } from '../../src/alerts/incoming-alert.js';

const firing = (alertname: string, labels: Record<string, string>): PrometheusAlert => ({
  source: 'prometheus',
  alertname,
  status: 'firing',
  labels: { alertname, ...labels },
  annotations: {},
  startsAt: '2026-01-16T09:14:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: 'c0ffee',
  generatorURL: '',
});

describe('the example catalog routes Vectorizer\'s connection alerts', () => {
  it('sends both to connection-errors for the env the alert names', async () => {
    const catalog = await loadCatalog('manifests/catalog.example.yaml');
    for (const name of ['VectorizerHighConnections', 'VectorizerConnectionErrors']) {
      expect(routeAlert(catalog, firing(name, { env: 'prod', service: 'vectorizer' }))).toEqual({
        service: 'vectorizer',
        env: 'prod',
        runbookId: 'connection-errors',
      });
    }
    // vectorizer has one env, so an alert without the label still lands there.
    expect(routeAlert(catalog, firing('VectorizerConnectionErrors', {}))).toMatchObject({ service: 'vectorizer', env: 'prod' });
  });
});
