/**
 * INFO parser: `# Section` headers, `key:value` lines; values stay strings, numbers via infoNumber. Keys never hold a
 * `:` (they may hold `|`, as in `cmdstat_client|list`), values may (`listener0:name=tcp,bind=-::*,port=6379`), so
 * only the first `:` splits.
 */
export type RedisInfo = Record<string, string>;

export function parseInfo(text: string): RedisInfo {
  const out: RedisInfo = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** The same lines grouped by their `# Section` header, lower-cased (`clients`, `stats`, `keyspace`, …). */
export function parseInfoSections(text: string): Record<string, RedisInfo> {
  const out: Record<string, RedisInfo> = {};
  let section: RedisInfo = {};
  out[''] = section;
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    if (line.startsWith('#')) {
      section = {};
      out[line.slice(1).trim().toLowerCase()] = section;
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    section[line.slice(0, i)] = line.slice(i + 1);
  }
  if (Object.keys(out['']!).length === 0) delete out[''];
  return out;
}

export function infoNumber(info: RedisInfo, key: string): number | undefined {
  const v = info[key];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The `a=1,b=2` values of `db0`, `slave0`, `cmdstat_*`, `errorstat_*`, `latency_percentiles_usec_*`, `listener0`.
 * A key repeated in one value (`bind=*,bind=-::*` in listener lines) keeps every value, comma-joined.
 */
export function infoSubfields(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq);
    const v = part.slice(eq + 1);
    out[k] = k in out ? `${out[k]},${v}` : v;
  }
  return out;
}
