import { ConnbotError, errorMessage } from '../../errors.js';
import type { PrometheusTarget } from '../../catalog/schema.js';
import {
  ApiResponseSchema,
  parseQueryData,
  type InstantSeries,
  type QueryResult,
  type RangeSeries,
  type Sample,
} from './query-result.js';
import { withSelector } from './selector.js';

export interface QueryOptions {
  signal?: AbortSignal;
  /** Per request; also sent to Prometheus as `timeout` so it stops evaluating too. Default 10 s. */
  timeoutMs?: number;
}

export interface RangeOptions extends QueryOptions {
  start: Date;
  end: Date;
  /** Resolution step in seconds. */
  stepSeconds: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The Prometheus HTTP API (/api/v1/query, /api/v1/query_range) for one server. Failures — unreachable, HTTP
 * errors, `status: error` — become INTEGRATION_FAILED naming the query; an empty result is returned as empty,
 * because only the caller knows whether "no series" means "no data" or "zero".
 */
export class PrometheusClient {
  readonly baseUrl: string;
  readonly selector: string | undefined;

  constructor(target: PrometheusTarget) {
    this.baseUrl = target.url.replace(/\/+$/, '');
    this.selector = target.selector;
  }

  /** `metric{<catalog selector>,extra...}` for this target's series. */
  select(metric: string, extra: Record<string, string> = {}): string {
    return withSelector(metric, this.selector, extra);
  }

  /** The URL a person can open or curl to repeat an instant query. */
  queryUrl(promql: string): string {
    return `${this.baseUrl}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`;
  }

  /** The runbook-style command for the same instant query. */
  curlCommand(promql: string): string {
    return `curl -s '${this.baseUrl}/api/v1/query' --data-urlencode 'query=${promql.replace(/'/g, `'\\''`)}'`;
  }

  async query(promql: string, opts: QueryOptions & { time?: Date } = {}): Promise<QueryResult> {
    const form = new URLSearchParams({ query: promql });
    if (opts.time) form.set('time', String(opts.time.getTime() / 1000));
    return this.call('/api/v1/query', promql, form, opts);
  }

  /** An instant query that must answer with a vector (every aggregation or selector does). */
  async queryVector(promql: string, opts: QueryOptions = {}): Promise<InstantSeries[]> {
    const result = await this.query(promql, opts);
    if (result.resultType === 'vector') return result.series;
    if (result.resultType === 'scalar') return [{ labels: {}, sample: result.sample }];
    throw new ConnbotError('INTEGRATION_FAILED', `Prometheus answered ${result.resultType} to \`${promql}\`, expected a vector`);
  }

  async queryRange(promql: string, opts: RangeOptions): Promise<RangeSeries[]> {
    const form = new URLSearchParams({
      query: promql,
      start: String(opts.start.getTime() / 1000),
      end: String(opts.end.getTime() / 1000),
      step: String(opts.stepSeconds),
    });
    const result = await this.call('/api/v1/query_range', promql, form, opts);
    if (result.resultType === 'matrix') return result.series;
    throw new ConnbotError('INTEGRATION_FAILED', `Prometheus answered ${result.resultType} to range query \`${promql}\``);
  }

  private async call(path: string, promql: string, form: URLSearchParams, opts: QueryOptions): Promise<QueryResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    form.set('timeout', `${Math.max(1, Math.floor(timeoutMs / 1000))}s`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const url = `${this.baseUrl}${path}`;
    const fail = (what: string, cause?: unknown) =>
      new ConnbotError('INTEGRATION_FAILED', `Prometheus ${this.baseUrl}: ${what} for query \`${promql}\``, {
        ...(cause === undefined ? {} : { cause }),
      });
    let res: Response;
    let text: string;
    try {
      // POST form: long PromQL does not hit URL length limits, and the API accepts it on both endpoints.
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal,
      });
      text = await res.text();
    } catch (err) {
      if (timeout.aborted) throw fail(`no answer within ${timeoutMs} ms`, err);
      if (opts.signal?.aborted) throw fail('request cancelled', err);
      throw fail(`unreachable (${networkReason(err)})`, err);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw fail(`HTTP ${res.status}, not a JSON answer: ${text.slice(0, 200)}`);
    }
    const envelope = ApiResponseSchema.safeParse(body);
    if (!envelope.success) throw fail(`HTTP ${res.status}, not a Prometheus API answer`);
    if (envelope.data.status === 'error' || !res.ok) {
      const kind = envelope.data.errorType ?? `HTTP ${res.status}`;
      throw fail(`${kind}: ${envelope.data.error ?? res.statusText}`);
    }
    const result = parseQueryData(envelope.data.data);
    if (!result) throw fail('answer has no readable data');
    return result;
  }
}

/** The first sample value of a vector, or undefined when it is empty (no series matched). */
export function firstValue(series: readonly InstantSeries[]): number | undefined {
  return series[0]?.sample[1];
}

export function sampleValues(samples: readonly Sample[]): Array<[number, number]> {
  return samples.map(([t, v]) => [t * 1000, v]);
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorMessage(err);
}
