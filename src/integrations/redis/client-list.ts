/**
 * CLIENT LIST parser. Each line is `key=value` fields separated by single spaces. Redis refuses spaces in client
 * names and ACL user names, so a space always ends a value, while `=` may appear inside one (`name=a=b`): only the
 * first `=` of a field separates key from value.
 */
export interface RedisClientInfo {
  id: string;
  addr: string;
  laddr?: string;
  fd: number;
  name: string;
  age: number;
  idle: number;
  flags: string;
  db: number;
  sub: number;
  psub: number;
  ssub: number;
  multi: number;
  qbuf: number;
  qbufFree: number;
  argvMem: number;
  multiMem: number;
  obl: number;
  oll: number;
  omem: number;
  totMem: number;
  events: string;
  cmd: string;
  user: string;
  redir: number;
  resp: number;
  libName?: string;
  libVer?: string;
  /** Every field as Redis printed it, including ones newer than this parser. */
  raw: Record<string, string>;
}

export function parseClientLine(line: string): RedisClientInfo | undefined {
  const text = line.replace(/\r$/, '');
  if (!text.trim()) return undefined;
  const raw: Record<string, string> = {};
  for (const field of text.split(' ')) {
    const eq = field.indexOf('=');
    if (eq <= 0) continue;
    raw[field.slice(0, eq)] = field.slice(eq + 1);
  }
  if (raw.id === undefined || raw.addr === undefined) return undefined;
  const num = (k: string) => {
    const v = Number(raw[k]);
    return Number.isFinite(v) ? v : 0;
  };
  return {
    id: raw.id,
    addr: raw.addr,
    laddr: raw.laddr,
    fd: num('fd'),
    name: raw.name ?? '',
    age: num('age'),
    idle: num('idle'),
    flags: raw.flags ?? '',
    db: num('db'),
    sub: num('sub'),
    psub: num('psub'),
    ssub: num('ssub'),
    multi: num('multi'),
    qbuf: num('qbuf'),
    qbufFree: num('qbuf-free'),
    argvMem: num('argv-mem'),
    multiMem: num('multi-mem'),
    obl: num('obl'),
    oll: num('oll'),
    omem: num('omem'),
    totMem: num('tot-mem'),
    events: raw.events ?? '',
    cmd: raw.cmd ?? '',
    user: raw.user ?? '',
    redir: num('redir'),
    resp: num('resp'),
    libName: raw['lib-name'],
    libVer: raw['lib-ver'],
    raw,
  };
}

export function parseClientList(text: string): RedisClientInfo[] {
  const out: RedisClientInfo[] = [];
  for (const line of text.split('\n')) {
    const c = parseClientLine(line);
    if (c) out.push(c);
  }
  return out;
}

/** The host part of `addr` (IPv4 `1.2.3.4:5`, IPv6 `[::1]:5` or `::1:5`, unix socket `/path:0`). */
export function clientHost(addr: string): string {
  if (addr.startsWith('[')) return addr.slice(1, addr.indexOf(']'));
  const i = addr.lastIndexOf(':');
  return i > 0 ? addr.slice(0, i) : addr;
}

/** Replicas, masters, pub/sub subscribers and MONITOR clients must never be killed as "idle". */
export function isProtectedClient(c: RedisClientInfo): string | undefined {
  if (c.flags.includes('S')) return 'replica';
  if (c.flags.includes('M')) return 'master';
  if (c.flags.includes('O')) return 'monitor';
  if (c.flags.includes('P') || c.sub > 0 || c.psub > 0 || c.ssub > 0) return 'pub/sub';
  return undefined;
}
