import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/run-cli.js';
import type { DiagnosisReport } from '../../src/diagnosis/report.js';
import { statusExitCode } from '../../src/domain/finding.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';

function capture(env: NodeJS.ProcessEnv = {}, isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: { write: (t: string) => out.push(t), isTTY }, stderr: { write: (t: string) => err.push(t) }, env };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'connbot-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCatalog(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('connbot catalog validate', () => {
  it('accepts the example catalog and counts its services and envs', async () => {
    const c = capture();
    expect(await runCli(['catalog', 'validate', 'manifests/catalog.example.yaml'], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/^catalog OK: 5 services, 6 envs/);
  });

  it('reads CATALOG_PATH when no path is given', async () => {
    const path = writeCatalog('one.yaml', 'version: 1\nservices:\n  cache:\n    runbooks: [redis-pool-exhaustion]\n    envs:\n      dev: { redis: { url: "redis://127.0.0.1:1" } }\n');
    const c = capture({ CATALOG_PATH: path });
    expect(await runCli(['catalog', 'validate'], c.io)).toBe(0);
    expect(c.stdout()).toContain('catalog OK: 1 services, 1 envs');
  });

  it('prints one line per problem, each naming its YAML path, and exits 1', async () => {
    const path = writeCatalog(
      'broken.yaml',
      [
        'version: 1',
        'defaults: { channel: general }',
        'services:',
        '  cache:',
        '    runbooks: [redis-pool-exhaustion, no-such-runbook]',
        '    envs:',
        '      prod:',
        '        redis: { url: "redis://127.0.0.1:6379" }',
        '        params: { idleSecs: 5 }',
        '        colour: blue',
        '',
      ].join('\n'),
    );
    const c = capture();
    expect(await runCli(['catalog', 'validate', path], c.io)).toBe(1);
    const lines = c.stderr().split('\n');
    expect(lines[0]).toContain(`catalog ${path} is invalid`);
    expect(lines).toContain('  defaults.channel: must be a Slack channel id (C…)');
    expect(lines).toContain('  services.cache.envs.prod.colour: unknown key');
    expect(c.stdout()).toBe('');
  });

  it('reports a catalog that is not YAML, or missing, as invalid', async () => {
    const path = writeCatalog('bad.yaml', 'version: 1\nservices: [\n');
    const c = capture();
    expect(await runCli(['catalog', 'validate', path], c.io)).toBe(1);
    expect(c.stderr()).toContain('not valid YAML');
    const missing = capture();
    expect(await runCli(['catalog', 'validate', join(dir, 'nope.yaml')], missing.io)).toBe(1);
    expect(missing.stderr()).toContain('cannot read');
  });
});

describe('connbot arguments', () => {
  it('prints help with exit 0, and usage with exit 64 for bad arguments', async () => {
    const help = capture();
    expect(await runCli(['help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('connbot check <service> <env>');
    for (const argv of [[], ['frobnicate'], ['check', 'only-service'], ['check', 'a', 'b', '--bogus'], ['catalog', 'lint']]) {
      const c = capture();
      expect(await runCli(argv, c.io)).toBe(64);
      expect(c.stderr()).toContain('Usage:');
    }
  });
});

describe('connbot check', () => {
  let redis: PrivateRedis;
  let catalog: string;
  beforeAll(async () => {
    redis = await startRedis({ maxclients: 20 });
    catalog = writeCatalog(
      'redis.yaml',
      [
        'version: 1',
        'services:',
        '  cache:',
        '    runbooks: [redis-pool-exhaustion]',
        '    envs:',
        '      local:',
        `        redis: { url: "${redis.url}" }`,
        '        params: { idleSeconds: 1, killIdleAfterSeconds: 2, trendSamples: 2, trendIntervalMs: 200 }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => redis?.stop());

  it('names the known services and the closest match for an unknown service, exit 64', async () => {
    const c = capture();
    expect(await runCli(['check', 'cahce', 'local', '--catalog', catalog], c.io)).toBe(64);
    expect(c.stderr()).toContain('unknown service "cahce"');
    expect(c.stderr()).toContain('Known services: cache');
    expect(c.stderr()).toContain('did you mean "cache"?');
  });

  it('takes the runbook as the third argument, as /conn check does', async () => {
    const c = capture();
    expect(await runCli(['check', 'cache', 'local', 'no-such-runbook', '--catalog', catalog], c.io)).toBe(64);
    expect(c.stderr()).toContain('has no runbook "no-such-runbook". Its runbooks: redis-pool-exhaustion');
  });

  it('names the known envs for an unknown env, exit 64', async () => {
    const c = capture({ CATALOG_PATH: catalog });
    expect(await runCli(['check', 'cache', 'prod'], c.io)).toBe(64);
    expect(c.stderr()).toContain('has no env "prod"');
    expect(c.stderr()).toContain('Known envs: local');
  });

  it('runs the diagnosis against a real, healthy Redis: JSON report, exit 0', async () => {
    const c = capture();
    const code = await runCli(['check', 'cache', 'local', '--catalog', catalog, '--json'], c.io);
    const report = JSON.parse(c.stdout()) as DiagnosisReport;
    expect(report).toMatchObject({ service: 'cache', env: 'local', runbookId: 'redis-pool-exhaustion', status: 'ok' });
    expect(report.findings.find((f) => f.checkId === 'utilisation')?.summary).toMatch(/^1 of 20 clients/);
    expect(code).toBe(0);
    expect(code).toBe(statusExitCode(report.status));
    expect(c.stderr()).toBe('');
  });

  it('prints the text report, coloured only on a terminal without NO_COLOR', async () => {
    const plain = capture();
    expect(await runCli(['check', 'cache', 'local', '--catalog', catalog], plain.io)).toBe(0);
    expect(plain.stdout()).toMatch(/^OK {2}cache \/ local — Redis connection pool exhaustion\n/);
    expect(plain.stdout()).toContain('[OK] ');
    expect(plain.stdout()).not.toContain('\u001b[');
    const tty = capture({}, true);
    await runCli(['check', 'cache', 'local', '--catalog', catalog], tty.io);
    expect(tty.stdout()).toContain('\u001b[32m[OK]\u001b[39m');
    const noColour = capture({ NO_COLOR: '1' }, true);
    await runCli(['check', 'cache', 'local', '--catalog', catalog], noColour.io);
    expect(noColour.stdout()).not.toContain('\u001b[');
  });

  it('exits 2 (crit) when the Redis is near maxclients for real', async () => {
    // 16 idle clients plus connbot's own connection: 17 of 20 = 85%, past the runbook's 80% critical line.
    const held = Array.from({ length: 16 }, (_, i) => new Redis(redis.url, { connectionName: `held-${i}`, lazyConnect: true }));
    try {
      await Promise.all(held.map((h) => h.connect()));
      const c = capture();
      const code = await runCli(['check', 'cache', 'local', '--catalog', catalog], c.io);
      expect(c.stdout()).toMatch(/^CRIT {2}cache \/ local/);
      expect(code).toBe(2);
    } finally {
      held.forEach((h) => h.disconnect());
    }
  });
});
