import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';

/** `npm run demo -- --yes` as a user runs it: a child process, real redis-server, real leak, real kill. */
function runDemo(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/run-demo.ts', ...args], {
      cwd: process.cwd(),
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const timer = setTimeout(() => child.kill('SIGINT'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('npm run demo -- --yes', () => {
  it('diagnoses a real idle-connection leak, kills the idle clients, verifies the improvement and cleans up', async () => {
    const { code, output } = await runDemo(['--yes']);
    expect(output, output).toMatch(/^CRIT {2}redis-demo \/ local — Redis connection pool exhaustion$/m);
    expect(output).toContain('Proposed remediation: ');
    expect(output).toContain('Executed: ');
    expect(output).toMatch(/killed 36\b/i);
    expect(output).toMatch(/before: CRIT[\s\S]*after: {2}OK/);
    expect(output).toContain('Verification: improved');
    expect(code, output).toBe(0);
    const port = Number(/redis-server is up on redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await portRefuses(port)).toBe(true);
  }, 120_000);
});
