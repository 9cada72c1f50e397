import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadCatalog, parseCatalogText, validateCatalog } from '../../src/catalog/load-catalog.js';
import { CatalogError } from '../../src/errors.js';
import { resolveTarget } from '../../src/catalog/resolve-target.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a YAML document the tests edit freely
const example = () => parse(readFileSync('manifests/catalog.example.yaml', 'utf8')) as Record<string, any>;

function problemsOf(doc: unknown): string[] {
  try {
    validateCatalog(doc);
  } catch (err) {
    if (err instanceof CatalogError) return err.problems;
    throw err;
  }
  return [];
}

describe('catalog validation', () => {
  it('accepts the example catalog of the five systems', async () => {
    const catalog = await loadCatalog('manifests/catalog.example.yaml');
    expect(Object.keys(catalog.services).sort()).toEqual(['golden-path', 'redis-master', 'tickstorm', 'vectorizer', 'vitalstream-websocket']);
    expect(catalog.defaults?.approvals?.expiresAfter).toBe(15 * 60_000);
  });

  it('names the YAML path of a missing required block', () => {
    const doc = example();
    delete doc.services['golden-path'].envs.prod.aws.ecs.cluster;
    expect(problemsOf(doc)).toContain('services.golden-path.envs.prod.aws.ecs.cluster: required');
  });

  it('names the part of a target a runbook cannot work without', () => {
    const doc = example();
    delete doc.services['golden-path'].envs.prod.aws.ecs;
    expect(problemsOf(doc)).toEqual(['services.golden-path.envs.prod.aws.ecs: required by runbook db-connection-exhaustion']);
    delete doc.services['golden-path'].envs.prod.aws;
    expect(problemsOf(doc)).toEqual(['services.golden-path.envs.prod.aws: required by runbook db-connection-exhaustion']);
  });

  it('treats unknown keys as errors, not silently ignored', () => {
    const doc = example();
    doc.services['redis-master'].envs.prod.redis.pasword = 'x';
    doc.defaults.chanel = 'C1';
    const problems = problemsOf(doc);
    expect(problems).toContain('services.redis-master.envs.prod.redis.pasword: unknown key');
    expect(problems).toContain('defaults.chanel: unknown key');
  });

  it('rejects unknown params and runbooks, and a runbook whose target is missing', () => {
    const doc = example();
    doc.services['redis-master'].envs.prod.params.idleSecs = 5;
    doc.services['redis-master'].envs.prod.params.killIdleAfterSeconds = 'soon';
    delete doc.services['redis-master'].envs.prod.redis;
    doc.services.tickstorm.runbooks = ['connection-drop-rates'];
    const problems = problemsOf(doc);
    expect(problems.some((p) => p.startsWith('services.redis-master.envs.prod.params.idleSecs: unknown key'))).toBe(true);
    expect(problems.some((p) => p.startsWith('services.redis-master.envs.prod.params.killIdleAfterSeconds:'))).toBe(true);
    expect(problems).toContain('services.redis-master.envs.prod.redis: required by runbook redis-pool-exhaustion');
    expect(problems.some((p) => p.startsWith('services.tickstorm.runbooks.0: unknown runbook "connection-drop-rates"'))).toBe(true);
  });

  it('wants a channel for alert threads: the env\'s, or the default', () => {
    const doc = example();
    delete doc.defaults.channel;
    delete doc.services.tickstorm.envs.prod.channel;
    expect(problemsOf(doc)).toContain('services.tickstorm.envs.prod.channel: required for alert threads (or set defaults.channel)');
  });

  it('checks ids and durations', () => {
    const doc = example();
    doc.defaults.approvals.approvers = ['oncall-team'];
    doc.defaults.approvals.expiresAfter = 'fifteen minutes';
    const problems = problemsOf(doc);
    expect(problems.some((p) => p.startsWith('defaults.approvals.approvers.0:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('defaults.approvals.expiresAfter:') && p.includes('not a duration'))).toBe(true);
  });

  it('reports invalid YAML with its line', () => {
    expect(() => parseCatalogText('version: 1\nservices:\n  a: [\n', 'x.yaml')).toThrow(/not valid YAML \(line \d+\)/);
  });

  it('resolves a service with the closest match when misspelt, and merges params over defaults', () => {
    const catalog = validateCatalog(example());
    expect(() => resolveTarget(catalog, 'golden-pth', 'prod')).toThrow(/did you mean "golden-path"/);
    expect(() => resolveTarget(catalog, 'golden-path', 'production')).toThrow(/Known envs: prod, staging/);
    const r = resolveTarget(catalog, 'redis-master', 'prod');
    expect(r.runbook.id).toBe('redis-pool-exhaustion');
    expect(r.params.killIdleAfterSeconds).toBe(600);
    expect(r.params.utilisationCritPct).toBe(80);
  });
});
