/** Percent of `whole`, one decimal; 0 when there is no whole. */
export function pct(part: number, whole: number): number {
  if (!(whole > 0)) return 0;
  return Math.round((part / whole) * 1000) / 10;
}

/** `45 s`, `12.5 min`, `3.2 h`: an idle or blocked duration a person reads at a glance. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${round1(seconds / 60)} min`;
  if (seconds < 172_800) return `${round1(seconds / 3600)} h`;
  return `${round1(seconds / 86_400)} d`;
}

export function formatMinutes(minutes: number): string {
  return formatSeconds(minutes * 60);
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Count items per key, biggest first, ties by key so tables are stable. */
export function countBy<T>(items: readonly T[], key: (t: T) => string): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
}

/** Name as shown in tables: Redis prints an unnamed client as `name=`. */
export function displayName(name: string): string {
  return name === '' ? '(no name)' : name;
}
