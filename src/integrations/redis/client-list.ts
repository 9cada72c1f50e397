/**
 * CLIENT LIST parser. Each line is `key=value` fields separated by single spaces. Redis refuses spaces (and any
 * character outside printable ASCII) in client names, lib-name/lib-ver and ACL user names, so a space always ends a
 * value, while `=` may appear inside one (`name=a=b`): only the first `=` of a field separates key from value.
 * Fields come and go between versions (ssub 7.0.3, lib-name/lib-ver 7.2, watch 7.4, io-thread and the tot-* counters
 * later): optional ones are undefined when the server does not print them, and `raw` keeps everything.
 */
export interface RedisClientInfo {
  id: string;
  /** `ip:port`, `[ipv6]:port`, or `/path/to.sock:0` for a unix-socket client. */
  addr: string;
  laddr?: string;
  fd: number;
  name: string;
  /** Seconds since the connection was opened. */
  age: number;
  /** Seconds since the client last sent a command (a blocked or subscribed client grows idle while waiting). */
  idle: number;
  flags: string;
  db: number;
  sub: number;
  psub: number;
  ssub: number;
  /** Commands queued in MULTI, -1 outside a transaction. */
  multi: number;
  watch?: number;
  qbuf: number;
  qbufFree: number;
  argvMem: number;
  multiMem: number;
  rbs?: number;
  rbp?: number;
  obl: number;
  oll: number;
  omem: number;
  totMem: number;
  events: string;
  /** Last command run, `client|list` style for subcommands, `NULL` before any. */
  cmd: string;
  user: string;
  redir: number;
  resp: number;
  libName?: string;
  libVer?: string;
  ioThread?: number;
  totNetIn?: number;
  totNetOut?: number;
  totCmds?: number;
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
    const key = field.slice(0, eq);
    // The first occurrence wins: a later duplicate could only come from a server bug, never from a name.
    if (!(key in raw)) raw[key] = field.slice(eq + 1);
  }
  if (raw.id === undefined || raw.addr === undefined) return undefined;
  const num = (k: string) => {
    const v = Number(raw[k]);
    return raw[k] !== undefined && raw[k] !== '' && Number.isFinite(v) ? v : 0;
  };
  const opt = (k: string) => {
    const v = raw[k];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
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
    multi: raw.multi === undefined ? -1 : num('multi'),
    watch: opt('watch'),
    qbuf: num('qbuf'),
    qbufFree: num('qbuf-free'),
    argvMem: num('argv-mem'),
    multiMem: num('multi-mem'),
    rbs: opt('rbs'),
    rbp: opt('rbp'),
    obl: num('obl'),
    oll: num('oll'),
    omem: num('omem'),
    totMem: num('tot-mem'),
    events: raw.events ?? '',
    cmd: raw.cmd ?? '',
    user: raw.user ?? '',
    redir: raw.redir === undefined ? -1 : num('redir'),
    resp: raw.resp === undefined ? 2 : num('resp'),
    libName: raw['lib-name'] || undefined,
    libVer: raw['lib-ver'] || undefined,
    ioThread: opt('io-thread'),
    totNetIn: opt('tot-net-in'),
    totNetOut: opt('tot-net-out'),
    totCmds: opt('tot-cmds'),
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
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    return end > 0 ? addr.slice(1, end) : addr.slice(1);
  }
  const i = addr.lastIndexOf(':');
  return i > 0 ? addr.slice(0, i) : addr;
}

export function isUnixSocketClient(c: RedisClientInfo): boolean {
  return c.flags.includes('U') || c.addr.startsWith('/');
}

export function isBlockedClient(c: RedisClientInfo): boolean {
  return c.flags.includes('b');
}

/**
 * Replicas, masters, pub/sub subscribers and MONITOR clients must never be killed as "idle": their idle counter
 * grows by design. A client blocked in BLPOP & co. is waiting, not idle, and belongs to the blocked-clients finding.
 */
export function isProtectedClient(c: RedisClientInfo): string | undefined {
  if (c.flags.includes('S')) return 'replica';
  if (c.flags.includes('M')) return 'master';
  if (c.flags.includes('O')) return 'monitor';
  if (c.flags.includes('P') || c.sub > 0 || c.psub > 0 || c.ssub > 0) return 'pub/sub';
  if (isBlockedClient(c)) return 'blocked';
  return undefined;
}
