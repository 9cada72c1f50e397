/** INFO parser: `# Section` headers, `key:value` lines; values stay strings, numbers via infoNumber. */
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

export function infoNumber(info: RedisInfo, key: string): number | undefined {
  const v = info[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
