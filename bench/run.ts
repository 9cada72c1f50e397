/**
 * `npm run bench`: how fast the parts an on-call engineer waits on are, measured on this machine.
 * Starts its own redis-servers and a fake Slack on 127.0.0.1; every loop is bounded and stops by itself.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { validateCatalog } from '../src/catalog/load-catalog.js';
import { resolveTarget } from '../src/catalog/resolve-target.js';
import { runDiagnosis } from '../src/diagnosis/run-diagnosis.js';
import { parseClientList } from '../src/integrations/redis/client-list.js';
import { reportMessages } from '../src/render/slack/report-blocks.js';
import { renderReportText } from '../src/render/terminal/report-text.js';
import { alertWebhooks } from '../src/webhooks/alert-webhooks.js';
import { startRedis } from '../test/support/redis-server.js';
import { SIGNING_SECRET, startTestBot } from '../test/support/start-test-bot.js';
import { postSigned, slashCommandBody } from '../test/support/fake-slack.js';

interface Row {
  what: string;
  n: number;
  p50: number;
  p95: number;
  unit: string;
  note?: string;
}

const rows: Row[] = [];

function stats(samples: number[]): { p50: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

async function time(n: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function benchRedisDiagnosis(): Promise<void> {
  const target = await startRedis({ maxclients: 1200 });
  const clients: Redis[] = [];
  try {
    for (let i = 0; i < 1000; i++) {
      const c = new Redis(target.url, { connectionName: `bench-worker-${i % 50}`, lazyConnect: true });
      await c.connect();
      clients.push(c);
    }
    const catalog = validateCatalog({
      version: 1,
      services: {
        bench: {
          runbooks: ['redis-pool-exhaustion'],
          envs: { local: { redis: { url: target.url }, params: { trendSamples: 2, trendIntervalMs: 100 } } },
        },
      },
    });
    const resolved = resolveTarget(catalog, 'bench', 'local');
    await runDiagnosis(resolved); // warm-up
    const samples = await time(10, () => runDiagnosis(resolved));
    rows.push({ what: 'Redis runbook: full diagnosis, 1000 real clients (trend: 2 samples 100 ms apart)', n: 10, ...stats(samples), unit: 'ms' });

    const text = readFileSync('test/integrations/redis/fixtures/client-list-7.0.15-names.txt', 'utf8').split('\n').filter(Boolean);
    const big = Array.from({ length: 10_000 }, (_, i) => text[i % text.length]!).join('\n');
    const parse = await time(20, () => parseClientList(big));
    rows.push({ what: 'CLIENT LIST parse, 10 000 lines', n: 20, ...stats(parse), unit: 'ms' });

    const report = await runDiagnosis(resolved);
    const render = await time(200, () => reportMessages(report));
    rows.push({ what: 'Slack Block Kit render of that report', n: 200, ...stats(render), unit: 'ms' });
    const term = await time(200, () => renderReportText(report, {}));
    rows.push({ what: 'Terminal render of that report', n: 200, ...stats(term), unit: 'ms' });
  } finally {
    clients.forEach((c) => c.disconnect());
    await target.stop();
  }
}

async function benchAlertIngest(): Promise<void> {
  const state = await startRedis();
  const token = 'bench-alertmanager-token-012345';
  const t = await startTestBot({
    stateRedisUrl: state.url,
    env: { ALERTMANAGER_TOKEN: token },
    webhooks: (rt) => alertWebhooks(rt),
    catalog: { version: 1, defaults: { channel: 'C0BENCH', alerts: { stormThreshold: 20 } }, services: { x: { runbooks: ['redis-pool-exhaustion'], envs: { a: { redis: { url: state.url } } } } } },
  });
  try {
    const batches = 20;
    const perBatch = 100;
    const lat: number[] = [];
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const alerts = Array.from({ length: perBatch }, (_, i) => ({
        status: 'firing',
        labels: { alertname: 'BenchAlert', instance: `i-${b}-${i}` },
        annotations: {},
        startsAt: new Date().toISOString(),
        fingerprint: (b * perBatch + i + 1).toString(16).padStart(16, '0'),
      }));
      const body = JSON.stringify({ version: '4', groupKey: `{}:{b="${b}"}`, status: 'firing', receiver: 'bot', alerts });
      const s = performance.now();
      const res = await fetch(`${t.bot.url}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      lat.push(performance.now() - s);
    }
    const accepted = performance.now() - t0;
    rows.push({ what: `Alertmanager webhook: POST of ${perBatch} alerts until 200 (durably enqueued)`, n: batches, ...stats(lat), unit: 'ms' });
    const threshold = 20;
    const total = batches * perBatch;
    const deadline = Date.now() + 120_000;
    let stormDone = 0;
    for (;;) {
      const keys = await t.bot.runtime.redis.keys(`${t.bot.runtime.keys.prefix}:alert-thread:*`);
      // Thread incidents are recorded once their root is posted, which Slack paces at ~1 message/s per channel.
      if (!stormDone && keys.length >= total - threshold) stormDone = performance.now() - t0;
      if (keys.length >= total || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const processed = performance.now() - t0;
    rows.push({
      what: `Alert storm: ${total} distinct alerts in one channel, until the ${total - threshold} beyond the first ${threshold} are counted in the storm summary`,
      n: 1,
      p50: stormDone,
      p95: stormDone,
      unit: 'ms',
      note: `all accepted (200) after ${accepted.toFixed(0)} ms; ${((total - threshold) / (stormDone / 1000)).toFixed(0)} alerts/s`,
    });
    rows.push({
      what: `Alert storm: until the ${threshold} threads are open too`,
      n: 1,
      p50: processed,
      p95: processed,
      unit: 'ms',
      note: 'bounded by Slack pacing: 1 new message/s per channel after a burst of 5',
    });
  } finally {
    await t.stop();
    await state.stop();
  }
}

/** What the on-call engineer sees: the ack of /conn, then the finished report in the thread. */
async function benchSlashToReport(): Promise<void> {
  const [state, target] = await Promise.all([startRedis(), startRedis({ maxclients: 200 })]);
  const t = await startTestBot({
    stateRedisUrl: state.url,
    catalog: {
      version: 1,
      services: {
        r: { runbooks: ['redis-pool-exhaustion'], envs: { prod: { redis: { url: target.url }, params: { trendSamples: 2, trendIntervalMs: 100 } } } },
      },
    },
  });
  try {
    const acks: number[] = [];
    const reports: number[] = [];
    // Each run in its own channel: Slack's per-channel pacing (1 message/s after a burst of 5) is not what is measured.
    for (let i = 0; i < 10; i++) {
      const channel = `C0BENCH${i}`;
      const t0 = performance.now();
      const res = await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check r prod', user_id: 'U0BENCH', channel_id: channel }));
      if (res.status !== 200) throw new Error(`slash answered ${res.status}`);
      acks.push(performance.now() - t0);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const root = t.slack.roots(channel)[0];
        if (root && /CRIT|WARN|OK|UNKNOWN/.test(t.slack.messages.get(root.ts)!.text)) break;
        if (Date.now() > deadline) throw new Error('no report within 30 s');
        await new Promise((r) => setTimeout(r, 5));
      }
      reports.push(performance.now() - t0);
    }
    rows.push({ what: '/conn check: signed request until the ack (Slack wants < 3 s)', n: 10, ...stats(acks), unit: 'ms' });
    rows.push({ what: '/conn check: until the finished report and status are in Slack (Redis runbook, through the queues)', n: 10, ...stats(reports), unit: 'ms' });
  } finally {
    await t.stop();
    await Promise.all([state.stop(), target.stop()]);
  }
}

await benchRedisDiagnosis();
await benchSlashToReport();
await benchAlertIngest();

const lines = [
  `| what | n | p50 | p95 | note |`,
  `|---|---:|---:|---:|---|`,
  ...rows.map((r) => `| ${r.what} | ${r.n} | ${r.p50.toFixed(1)} ${r.unit} | ${r.p95.toFixed(1)} ${r.unit} | ${r.note ?? ''} |`),
];
process.stdout.write(`${lines.join('\n')}\n\nnode ${process.version}, ${new Date().toISOString()}\n`);
process.exit(0);
