import '../src/require-node.js';
/**
 * `npm run demo`: a real Redis idle-connection leak, diagnosed by the redis-pool-exhaustion runbook through the
 * same code path as `/conn check`, then fixed by its kill-idle remediation after you approve it, and verified.
 * Everything it starts (redis-server, connections, temp dir) is cleaned up, also on Ctrl-C or error.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { validateCatalog } from '../src/catalog/load-catalog.js';
import { resolveTarget } from '../src/catalog/resolve-target.js';
import { runDiagnosis } from '../src/diagnosis/run-diagnosis.js';
import { errorMessage } from '../src/errors.js';
import { applyRemediation } from '../src/remediation/apply-remediation.js';
import { outcomeText, planText } from '../src/render/terminal/remediation-text.js';
import { renderReportText } from '../src/render/terminal/report-text.js';
import { createConnectionLeak, type ConnectionLeak } from './connection-leak.js';
import { findOnPath, startDemoRedis, type DemoRedis } from './private-redis.js';

const MAXCLIENTS = 50;
const LEAK = { leaked: 36, active: 4, pingEveryMs: 300 };
/** Short thresholds so the demo takes seconds; production uses the runbook's 300 s / 600 s. */
const PARAMS = { idleSeconds: 2, killIdleAfterSeconds: 3, trendSamples: 3, trendIntervalMs: 500 };
const KILL_IDLE = 'kill-idle-clients';
const SERVICE = 'redis-demo';
const ENV = 'local';

const USAGE = 'usage: npm run demo [-- --yes]\n  --yes  apply the proposed remediation without asking\n';

function flagsOf(args: string[]) {
  try {
    return parseArgs({ args, options: { yes: { type: 'boolean', short: 'y', default: false }, help: { type: 'boolean', short: 'h', default: false } } }).values;
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n${USAGE}`);
    process.exit(64);
  }
}
const flags = flagsOf(process.argv.slice(2));
const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const say = (text: string) => process.stdout.write(`${colour ? `\u001b[1m▸\u001b[22m` : '▸'} ${text}\n`);

let redis: DemoRedis | undefined;
let leak: ConnectionLeak | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    await leak?.close().catch(() => {});
    await redis?.stop().catch(() => {});
  })());

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up…\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const binary = findOnPath('redis-server');
  if (!binary) {
    process.stderr.write(
      'The demo needs redis-server on PATH to create a real connection leak.\n' +
        '  Debian/Ubuntu: sudo apt-get install redis-server\n' +
        '  macOS:         brew install redis\n',
    );
    return 1;
  }

  say(`starting a private redis-server on 127.0.0.1 with maxclients ${MAXCLIENTS} (no persistence, temp dir)`);
  redis = await startDemoRedis(binary, MAXCLIENTS);
  say(`redis-server is up on ${redis.url}`);

  say(
    `leaking ${LEAK.leaked} idle connections (leaky-worker-1…${LEAK.leaked}), ${LEAK.active} busy clients (api-N, PING every ${LEAK.pingEveryMs} ms), 1 idle pub/sub subscriber`,
  );
  leak = await createConnectionLeak(redis.url, LEAK);

  const idleTarget = PARAMS.killIdleAfterSeconds + 1;
  say(`waiting until the leaked connections have been idle for ${idleTarget} s (kill threshold: ${PARAMS.killIdleAfterSeconds} s)…`);
  const deadline = Date.now() + 30_000;
  while ((await leak.leakedIdleSeconds()) < idleTarget) {
    if (Date.now() > deadline) throw new Error('leaked connections never became idle');
    await new Promise((r) => setTimeout(r, 500));
  }

  // The same catalog validation and resolution the bot runs, on an in-memory catalog for this one server.
  const catalog = validateCatalog(
    {
      version: 1,
      services: {
        [SERVICE]: {
          description: 'Demo Redis with a real idle-connection leak',
          runbooks: ['redis-pool-exhaustion'],
          envs: { [ENV]: { redis: { url: redis.url }, params: PARAMS } },
        },
      },
    },
    'demo catalog',
  );
  const resolved = resolveTarget(catalog, SERVICE, ENV);
  say(`running runbook ${resolved.runbook.id} — what /conn check ${SERVICE} ${ENV} runs\n`);
  const report = await runDiagnosis(resolved);
  process.stdout.write(`${renderReportText(report, { colour })}\n`);

  const plan = report.proposals.find((p) => p.remediationId === KILL_IDLE);
  if (!plan) {
    const offered = report.proposals.map((p) => p.remediationId).join(', ') || 'none';
    process.stderr.write(`The runbook did not propose ${KILL_IDLE} (proposed: ${offered}); nothing to apply.\n`);
    return 1;
  }
  process.stdout.write(`${planText(plan, { colour })}\n`);
  if (!flags.yes && !(await confirm('Apply? [y/N] '))) {
    say('not applied; cleaning up');
    return 1;
  }

  say(`applying ${plan.remediationId} as approved, then re-running ${plan.verifyChecks.join(', ')}`);
  const outcome = await applyRemediation(resolved, plan);
  process.stdout.write(`\n${outcomeText(plan, outcome, { colour })}\n`);
  if (!outcome.verification?.ok) {
    say('the remediation did not verify as an improvement');
    return 1;
  }
  say('verified: the leak is gone. Cleaning up.');
  return 0;
}

/** y/yes applies; anything else, end of input or Ctrl-C does not. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const abort = new AbortController();
  // readline swallows Ctrl-C while it owns the terminal; treat it as "no" plus the usual cleanup.
  rl.on('SIGINT', () => {
    abort.abort();
    process.kill(process.pid, 'SIGINT');
  });
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
  try {
    const answer = await Promise.race([rl.question(question, { signal: abort.signal }), closed]);
    // Answered from a pipe, nothing echoes the line: end it so the next line starts on its own.
    if (!process.stdin.isTTY) process.stdout.write(`${answer.trim()}\n`);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

let code: number;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`demo failed: ${errorMessage(err)}\n`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
