import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvTarget, ServiceEntry } from '../../src/catalog/schema.js';
import { runCheck } from '../../src/diagnosis/run-checks.js';
import { Integrations } from '../../src/integrations/integrations.js';
import { silentLogger } from '../../src/log.js';
import type { Check, RunbookContext } from '../../src/runbooks/types.js';

const QUERY = 'sum(rate(tick_storm_connection_drops_total{service="tickstorm"}[5m]))';

/** A Prometheus that accepts the query and never answers: what a check sees when the server is wedged. */
let silent: Server;
let silentUrl: string;

beforeAll(async () => {
  silent = createServer(() => {
    // Never answers.
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((r) => silent.close(r));
});

function context(target: EnvTarget = {} as EnvTarget): RunbookContext {
  return {
    service: 'tickstorm',
    env: 'prod',
    serviceEntry: { runbooks: ['connection-drop-rate'], envs: {} } as unknown as ServiceEntry,
    target,
    params: {},
    integrations: new Integrations(target, 'services.tickstorm.envs.prod'),
    log: silentLogger,
    signal: new AbortController().signal,
  };
}

const never = () => new Promise<never>(() => {});

describe('runCheck: evidence survives a timeout', () => {
  it('shows the evidence a check declared up front when it never answers', async () => {
    const check: Check = {
      id: 'drop-rate',
      title: 'Drop rate',
      timeoutMs: 50,
      evidence: () => [{ call: 'GetMetricData DatabaseConnections', cli: 'aws cloudwatch get-metric-statistics --region us-east-1 …' }],
      run: never,
    };
    const f = await runCheck(check, context());
    expect(f).toMatchObject({ status: 'unknown', summary: 'no answer within 50 ms' });
    expect(f.evidence).toEqual([{ call: 'GetMetricData DatabaseConnections', cli: 'aws cloudwatch get-metric-statistics --region us-east-1 …' }]);
  });

  it('shows what the check pushed to ctx.evidence before it hung, without duplicates', async () => {
    const check: Check = {
      id: 'clients',
      title: 'Clients',
      timeoutMs: 50,
      evidence: () => [{ call: 'CLIENT LIST', cli: 'redis-cli -h redis-master CLIENT LIST' }],
      async run(ctx) {
        ctx.evidence?.push({ call: 'CLIENT LIST', cli: 'redis-cli -h redis-master CLIENT LIST' }, { call: 'INFO clients', cli: 'redis-cli -h redis-master INFO clients' });
        return never();
      },
    };
    const f = await runCheck(check, context());
    expect(f.status).toBe('unknown');
    expect(f.evidence.map((e) => e.cli)).toEqual(['redis-cli -h redis-master CLIENT LIST', 'redis-cli -h redis-master INFO clients']);
  });

  it('names the PromQL a check sent (and the curl to repeat it) when Prometheus never answers', async () => {
    const check: Check = {
      id: 'drop-rate',
      title: 'Drop rate',
      timeoutMs: 150,
      async run(ctx) {
        // An unaware check: it builds its evidence only once the answer is in.
        await ctx.integrations.prometheus().queryVector(QUERY, { signal: ctx.signal });
        return { status: 'ok', summary: 'fine', evidence: [] };
      },
    };
    const ctx = context({ prometheus: { url: silentUrl } } as EnvTarget);
    const f = await runCheck(check, ctx);
    expect(f.status).toBe('unknown');
    expect(f.evidence).toHaveLength(1);
    expect(f.evidence[0]!.call).toBe(`PromQL ${QUERY} (POST ${silentUrl}/api/v1/query)`);
    expect(f.evidence[0]!.cli).toBe(`curl -s '${silentUrl}/api/v1/query' --data-urlencode 'query=${QUERY}'`);
    // The shared client is the same one: the check's wrapper changed nothing else.
    expect(ctx.integrations.prometheus().baseUrl).toBe(silentUrl);
    await ctx.integrations.close();
  });

  it('keeps the evidence when the check throws', async () => {
    const check: Check = {
      id: 'pods',
      title: 'Pods',
      evidence: () => [{ call: 'GET /api/v1/namespaces/tickstorm/pods', cli: 'kubectl get pods -n tickstorm' }],
      async run() {
        throw new Error('connection refused');
      },
    };
    const f = await runCheck(check, context());
    expect(f).toMatchObject({ status: 'error', summary: 'connection refused' });
    expect(f.evidence.map((e) => e.cli)).toEqual(['kubectl get pods -n tickstorm']);
  });

  it('uses the check’s own evidence when it answers, and the declared evidence only when it returns none', async () => {
    const declared = [{ call: 'declared' }];
    const own = await runCheck(
      { id: 'a', title: 'A', evidence: () => declared, run: async () => ({ status: 'ok', summary: 'ok', evidence: [{ call: 'own' }] }) },
      context(),
    );
    expect(own.evidence).toEqual([{ call: 'own' }]);
    const none = await runCheck({ id: 'b', title: 'B', evidence: () => declared, run: async () => ({ status: 'ok', summary: 'ok' }) }, context());
    expect(none.evidence).toEqual(declared);
    const plain = await runCheck({ id: 'c', title: 'C', run: async () => ({ status: 'ok', summary: 'ok' }) }, context());
    expect(plain.evidence).toEqual([]);
  });

  it('ignores an evidence function that throws: the check still runs', async () => {
    const f = await runCheck(
      {
        id: 'd',
        title: 'D',
        evidence: () => {
          throw new Error('no k8s target');
        },
        run: async () => ({ status: 'warn', summary: 'w' }),
      },
      context(),
    );
    expect(f).toMatchObject({ status: 'warn', evidence: [] });
  });
});
