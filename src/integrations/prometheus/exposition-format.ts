import { parseSampleValue } from './query-result.js';

/**
 * A reader for the Prometheus text exposition format (0.0.4, and the OpenMetrics lines it shares), enough for
 * counters and gauges: prom-client writes this format but does not read it.
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'unknown' | 'gaugehistogram' | 'info' | 'stateset';

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: ExpositionSample[];
  /** `# TYPE` per family name. */
  types: ReadonlyMap<string, MetricType>;
  /** Lines that are neither comments nor samples (the first few, for the report). */
  unreadable: string[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'gaugehistogram', 'info', 'stateset']);
const MAX_UNREADABLE = 5;

export function parseExposition(text: string): Exposition {
  const samples: ExpositionSample[] = [];
  const types = new Map<string, MetricType>();
  const unreadable: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m && TYPES.has(m[2]!)) types.set(m[1]!, m[2] as MetricType);
      continue;
    }
    const sample = parseSampleLine(line);
    if (sample) samples.push(sample);
    else if (unreadable.length < MAX_UNREADABLE) unreadable.push(line);
  }
  return { samples, types, unreadable };
}

/** `name{a="x",b="y"} 12.5 [timestamp] [# exemplar]`; undefined when the line is not one. */
export function parseSampleLine(line: string): ExpositionSample | undefined {
  const name = NAME.exec(line)?.[0];
  if (!name) return undefined;
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    const end = readLabels(line, i + 1, labels);
    if (end === undefined) return undefined;
    i = end;
  }
  // Value, then an optional timestamp; an OpenMetrics exemplar starts at " # ".
  const rest = line.slice(i).split(' # ')[0]!.trim().split(/\s+/);
  const token = rest[0];
  if (!token || rest.length > 2) return undefined;
  const value = parseSampleValue(token);
  if (Number.isNaN(value) && token !== 'NaN') return undefined;
  return { name, labels, value };
}

/** Reads `a="x",b="y"}` from `start`; returns the index after `}`. */
function readLabels(line: string, start: number, into: Record<string, string>): number | undefined {
  let i = start;
  const skipSpaces = () => {
    while (line[i] === ' ' || line[i] === '\t') i += 1;
  };
  for (;;) {
    skipSpaces();
    if (line[i] === '}') return i + 1;
    const label = LABEL.exec(line.slice(i))?.[0];
    if (!label) return undefined;
    i += label.length;
    skipSpaces();
    if (line[i] !== '=') return undefined;
    i += 1;
    skipSpaces();
    if (line[i] !== '"') return undefined;
    i += 1;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) return undefined;
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
        continue;
      }
      value += c;
      i += 1;
    }
    i += 1;
    into[label] = value;
    skipSpaces();
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') return undefined;
  }
}

const SUFFIXES = ['_total', '_created', '_bucket', '_sum', '_count', '_gcount', '_gsum', '_info'];

/** The declared type of the family a sample belongs to (`x_total` belongs to `x` in OpenMetrics). */
export function familyType(expo: Exposition, sampleName: string): MetricType | undefined {
  const own = expo.types.get(sampleName);
  if (own) return own;
  for (const suffix of SUFFIXES) {
    if (sampleName.endsWith(suffix)) {
      const t = expo.types.get(sampleName.slice(0, -suffix.length));
      if (t) return t;
    }
  }
  return undefined;
}
