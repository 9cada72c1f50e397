import { ConnbotError } from '../../errors.js';
import { describeProbe } from '../../integrations/http/http-probe.js';
import type { HttpTargetClient } from '../../integrations/http/http-target.js';
import { fmtNumber } from '../shared/evidence.js';
import { familyType, parseExposition, type Exposition, type ExpositionSample } from '../../integrations/prometheus/exposition-format.js';

/** The runbook greps these prefixes: `grep vectorizer_connections`, `grep vectorizer_connection_errors`. */
export const CONNECTIONS_PREFIX = 'vectorizer_connections';
export const ERRORS_PREFIX = 'vectorizer_connection_errors';

/** A metrics page can be large; the connection series are near the top of every one seen so far. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const PREFERRED_GAUGES = ['vectorizer_connections_active', 'vectorizer_connections_current', 'vectorizer_connections_open', 'vectorizer_connections'];
/** Not "how many are open now": totals, limits and histogram parts. */
const NOT_CURRENT = /_(total|created|bucket|sum|count|max|limit)$/;
/** The label that names the error kind, in the order exporters tend to use them. */
const TYPE_LABELS = ['error_type', 'type', 'reason', 'kind', 'error'];

export interface Scrape {
  url: string;
  expo: Exposition;
  at: number;
}

/** `curl <http.metrics>`, through the HTTP adapter, parsed. */
export async function scrapeServiceMetrics(http: HttpTargetClient, opts: { timeoutMs: number; signal: AbortSignal }): Promise<Scrape> {
  const url = http.url('metrics');
  const r = await http.probe('metrics', {
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    headers: { accept: 'text/plain;version=0.0.4;q=1, */*;q=0.1' },
    maxBodyBytes: MAX_BODY_BYTES,
    keepBody: true,
  });
  if (r.outcome !== 'response' || !r.ok || r.body === undefined) {
    throw new ConnbotError('INTEGRATION_FAILED', `GET ${url}: ${describeProbe(r)}`);
  }
  return { url, expo: parseExposition(r.body), at: performance.now() };
}

export interface ConnectionsReading {
  metric: string;
  total: number;
  series: ExpositionSample[];
}

/** The gauge of open connections: a preferred name if exported, else the first `vectorizer_connections*` gauge. */
export function currentConnections(expo: Exposition): ConnectionsReading | undefined {
  const names = new Set(
    expo.samples
      .filter((s) => s.name.startsWith(CONNECTIONS_PREFIX) && !NOT_CURRENT.test(s.name))
      .filter((s) => ['gauge', 'untyped', 'unknown', undefined].includes(familyType(expo, s.name)))
      .map((s) => s.name),
  );
  const metric = PREFERRED_GAUGES.find((n) => names.has(n)) ?? [...names][0];
  if (!metric) return undefined;
  const series = expo.samples.filter((s) => s.name === metric);
  return { metric, total: series.reduce((n, s) => n + (Number.isFinite(s.value) ? s.value : 0), 0), series };
}

export interface ErrorCounters {
  metric: string;
  /** The label the exporter names the error kind with, if any. */
  typeLabel: string | undefined;
  byType: Record<string, number>;
}

/** The `vectorizer_connection_errors*` counter, summed per error kind. */
export function connectionErrorCounters(expo: Exposition): ErrorCounters | undefined {
  const counters = expo.samples.filter(
    (s) =>
      s.name.startsWith(ERRORS_PREFIX) &&
      !/_(created|bucket|sum|count)$/.test(s.name) &&
      ['counter', 'untyped', 'unknown', undefined].includes(familyType(expo, s.name)),
  );
  const metric = counters.find((s) => s.name.endsWith('_total'))?.name ?? counters[0]?.name;
  if (!metric) return undefined;
  const series = counters.filter((s) => s.name === metric);
  const typeLabel = TYPE_LABELS.find((l) => series.some((s) => s.labels[l] !== undefined));
  const byType: Record<string, number> = {};
  for (const s of series) {
    const kind = (typeLabel && s.labels[typeLabel]) || '(none)';
    byType[kind] = (byType[kind] ?? 0) + (Number.isFinite(s.value) ? s.value : 0);
  }
  return { metric, typeLabel, byType };
}

/** What two scrapes of the counters say about how fast they grow. */
export interface RatesBetween {
  /** Per-second increase per error kind; empty when `unknown` is set. */
  rates: Record<string, number>;
  /**
   * Why no rate can be read from the two scrapes: a counter went down (or vanished), so the second answer came
   * from another process — a different pod behind the Service, or the same one restarted — and no difference
   * between the two means anything. Undefined when the rates stand.
   */
  unknown?: string;
}

/**
 * Per-second increase between two scrapes of the service's counters, taken through its Service URL. Counters only
 * grow within one process: one that went down or vanished means another process answered the second scrape, and
 * then every kind's difference compares two processes, so none is a rate (a lower counter is never read as a
 * restart from zero: `refused 1200 → 300` is not 60/s). A kind first seen in the second scrape counts from zero,
 * as a labelled counter appears at its first increment.
 */
export function ratesBetween(before: Record<string, number>, after: Record<string, number>, seconds: number): RatesBetween {
  if (!(seconds > 0)) return { rates: {}, unknown: 'the two scrapes were not apart in time' };
  const fell = Object.entries(before)
    .filter(([kind, prev]) => !(kind in after) || after[kind]! < prev)
    .map(([kind, prev]) => (kind in after ? `${kind} ${fmtNumber(prev, 3)} → ${fmtNumber(after[kind]!, 3)}` : `${kind} ${fmtNumber(prev, 3)} → gone`));
  if (fell.length > 0) {
    return { rates: {}, unknown: `counters went down between the scrapes (${fell.join(', ')}): a different pod answered, or it restarted` };
  }
  const rates: Record<string, number> = {};
  for (const [kind, value] of Object.entries(after)) rates[kind] = (value - (before[kind] ?? 0)) / seconds;
  return { rates };
}

/** The process's start time (`process_start_time_seconds`, exported by every client library's process collector). */
export function processStart(expo: Exposition): number | undefined {
  const starts = expo.samples.filter((s) => s.name === 'process_start_time_seconds' && Number.isFinite(s.value));
  return starts.length === 1 ? starts[0]!.value : undefined;
}
