import { z } from 'zod';

/** One sample: seconds since the epoch and the value (NaN and ±Inf are real PromQL answers). */
export type Sample = [timestamp: number, value: number];

export interface InstantSeries {
  labels: Record<string, string>;
  sample: Sample;
}

export interface RangeSeries {
  labels: Record<string, string>;
  samples: Sample[];
}

export type QueryResult =
  | { resultType: 'vector'; series: InstantSeries[] }
  | { resultType: 'matrix'; series: RangeSeries[] }
  | { resultType: 'scalar'; sample: Sample }
  | { resultType: 'string'; timestamp: number; value: string };

const rawSample = z.tuple([z.number(), z.string()]);
const labels = z.record(z.string(), z.string());

const ResultSchema = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: labels, value: rawSample })) }),
  z.object({ resultType: z.literal('matrix'), result: z.array(z.object({ metric: labels, values: z.array(rawSample) })) }),
  z.object({ resultType: z.literal('scalar'), result: rawSample }),
  z.object({ resultType: z.literal('string'), result: rawSample }),
]);

/** The envelope of every /api/v1 answer (https://prometheus.io/docs/prometheus/latest/querying/api/). */
export const ApiResponseSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});

/** Prometheus writes special floats as strings: `NaN`, `+Inf`, `-Inf`; Number('+Inf') would be NaN. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function sample([ts, value]: [number, string]): Sample {
  return [ts, parseSampleValue(value)];
}

/** Turn `data` of a successful answer into a typed result; undefined when the shape is not Prometheus's. */
export function parseQueryData(data: unknown): QueryResult | undefined {
  const parsed = ResultSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  switch (d.resultType) {
    case 'vector':
      return { resultType: 'vector', series: d.result.map((r) => ({ labels: r.metric, sample: sample(r.value) })) };
    case 'matrix':
      return { resultType: 'matrix', series: d.result.map((r) => ({ labels: r.metric, samples: r.values.map(sample) })) };
    case 'scalar':
      return { resultType: 'scalar', sample: sample(d.result) };
    case 'string':
      return { resultType: 'string', timestamp: d.result[0], value: d.result[1] };
  }
}
