import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './redis-server.js';

export interface Daemon {
  port: number;
  url: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

/** Start a server binary on 127.0.0.1 and wait until `readyPath` answers 200. */
export async function startDaemon(opts: {
  bin: string;
  args: (port: number, dir: string) => string[];
  files: (port: number, dir: string) => Record<string, string>;
  readyPath: string;
  name: string;
}): Promise<Daemon> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `connbot-${opts.name}-`));
  for (const [file, text] of Object.entries(opts.files(port, dir))) writeFileSync(join(dir, file), text);
  let child: ChildProcess;
  try {
    child = spawn(opts.bin, opts.args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start ${opts.bin} (apt-get install ${opts.name}): ${String(err)}`, { cause: err });
  }
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  let failure: Error | undefined;
  void spawnError.then((e) => (failure = e));
  for (;;) {
    if (failure) {
      await stop();
      throw new Error(`cannot start ${opts.bin}: ${failure.message}`);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${opts.bin} exited with ${child.exitCode}: ${output}`);
    }
    try {
      const res = await fetch(`${url}${opts.readyPath}`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.bin} not ready on ${port}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url, dir, output: () => output, stop };
}

export interface ScrapeTarget {
  job: string;
  /** host:port */
  target: string;
  labels?: Record<string, string>;
  metricsPath?: string;
}

export interface PrivatePrometheus extends Daemon {
  /** Wait until an instant query returns at least one series (and `accept` likes it). */
  waitForQuery(promql: string, accept?: (values: number[]) => boolean, timeoutMs?: number): Promise<number[]>;
}

/**
 * The Debian `prometheus` binary on a free port with a temporary TSDB: 1 s scrape and evaluation, and
 * `--rules.alert.resend-delay=2s`, or the first notification to Alertmanager would wait a minute.
 */
export async function startPrometheus(opts: {
  targets: ScrapeTarget[];
  /** Alerting rules, as the content of a rules file (YAML). */
  rules?: string;
  alertmanagerUrl?: string;
}): Promise<PrivatePrometheus> {
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    ...(opts.rules ? { rule_files: ['rules.yml'] } : {}),
    ...(opts.alertmanagerUrl
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(opts.alertmanagerUrl).host] }] }] } }
      : {}),
    scrape_configs: opts.targets.map((t) => ({
      job_name: t.job,
      metrics_path: t.metricsPath ?? '/metrics',
      // cAdvisor-style series carry their own namespace/pod/container labels: keep them as exported.
      honor_labels: true,
      static_configs: [{ targets: [t.target], labels: t.labels ?? {} }],
    })),
  };
  const daemon = await startDaemon({
    name: 'prometheus',
    bin: 'prometheus',
    readyPath: '/-/ready',
    files: () => ({ 'prometheus.yml': stringify(config), ...(opts.rules ? { 'rules.yml': opts.rules } : {}) }),
    args: (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--rules.alert.resend-delay=2s',
      '--log.level=warn',
    ],
  });
  return {
    ...daemon,
    async waitForQuery(promql, accept = () => true, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await fetch(`${daemon.url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
        const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
        const values = (body.data?.result ?? []).map((r) => Number(r.value[1]));
        if (values.length > 0 && accept(values)) return values;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${promql}; last answer ${JSON.stringify(values)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}
