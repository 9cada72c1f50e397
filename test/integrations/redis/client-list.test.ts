import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  clientHost,
  isProtectedClient,
  isUnixSocketClient,
  parseClientLine,
  parseClientList,
} from '../../../src/integrations/redis/client-list.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('CLIENT LIST parser on output captured from redis-server 7.0.15', () => {
  const clients = parseClientList(fixture('client-list-7.0.15-names.txt'));
  const byName = new Map(clients.map((c) => [c.name, c]));

  it('reads every line and every Redis 7.0 field', () => {
    expect(clients).toHaveLength(11);
    const c = byName.get('agent-bruno:pool')!;
    expect(c).toMatchObject({
      id: '4',
      addr: '127.0.0.1:56394',
      laddr: '127.0.0.1:16999',
      fd: 8,
      age: 0,
      idle: 0,
      flags: 'N',
      db: 0,
      sub: 0,
      psub: 0,
      ssub: 0,
      multi: -1,
      qbuf: 26,
      qbufFree: 20448,
      argvMem: 10,
      multiMem: 0,
      rbs: 16384,
      rbp: 0,
      obl: 0,
      oll: 0,
      omem: 0,
      totMem: 37658,
      events: 'r',
      cmd: 'client|list',
      user: 'default',
      redir: -1,
      resp: 2,
    });
    // Fields 7.0 does not print stay undefined rather than a made-up 0.
    expect(c.watch).toBeUndefined();
    expect(c.libName).toBeUndefined();
    expect(c.ioThread).toBeUndefined();
    expect(Object.keys(c.raw)).toHaveLength(28);
  });

  it('keeps names with "=", quotes, backticks and every printable symbol intact', () => {
    expect(byName.get('name=with=equals')?.id).toBe('5');
    expect(byName.get(`q"uo'te\`s`)?.id).toBe('6');
    expect(byName.get('!#$%&()*+,-./:;<>?@[\\]^_{|}~')?.id).toBe('14');
    expect(byName.get('x'.repeat(300))).toMatchObject({ id: '7', age: 0, flags: 'N' });
    expect(byName.get('')).toMatchObject({ id: '12', cmd: 'ping' });
  });

  it('reads an IPv6 client and finds its host', () => {
    const c = byName.get('v6-client')!;
    expect(c).toMatchObject({ addr: '[::1]:54630', laddr: '[::1]:16999' });
    expect(clientHost(c.addr)).toBe('::1');
  });

  it('recognises subscribers, blocked workers and MULTI clients', () => {
    expect(byName.get('subscriber')).toMatchObject({ flags: 'P', sub: 2, cmd: 'subscribe' });
    expect(byName.get('psub')).toMatchObject({ flags: 'P', psub: 1 });
    expect(byName.get('blpop-worker')).toMatchObject({ flags: 'b', cmd: 'blpop' });
    expect(byName.get('in-multi')).toMatchObject({ flags: 'x', multi: 1, multiMem: 30 });
    expect(isProtectedClient(byName.get('subscriber')!)).toBe('pub/sub');
    expect(isProtectedClient(byName.get('psub')!)).toBe('pub/sub');
    expect(isProtectedClient(byName.get('blpop-worker')!)).toBe('blocked');
    expect(isProtectedClient(byName.get('in-multi')!)).toBeUndefined();
  });

  it('reads a unix-socket client, whose addr is the socket path', () => {
    const [c] = parseClientList(fixture('client-list-7.0.15-unix-socket.txt'));
    expect(c).toMatchObject({ id: '4', addr: '/tmp/capredis/r.sock:0', flags: 'U', name: 'unix-client' });
    expect(clientHost(c!.addr)).toBe('/tmp/capredis/r.sock');
    expect(isUnixSocketClient(c!)).toBe(true);
  });

  it('protects replicas, the master link and MONITOR clients, and sees idle ones', () => {
    const list = parseClientList(fixture('client-list-7.0.15-idle-monitor-replica.txt'));
    expect(list).toHaveLength(8);
    expect(isProtectedClient(list.find((c) => c.flags === 'S')!)).toBe('replica');
    expect(isProtectedClient(list.find((c) => c.flags === 'O')!)).toBe('monitor');
    expect(list.filter((c) => c.name.startsWith('agent-bruno-pool-')).map((c) => c.idle)).toEqual([2, 2, 2]);
    const [master] = parseClientList(fixture('client-list-7.0.15-replica-side.txt'));
    expect(master).toMatchObject({ flags: 'M', cmd: 'NULL', user: '(superuser)' });
    expect(isProtectedClient(master!)).toBe('master');
  });
});

describe('CLIENT LIST parser on lines of newer servers', () => {
  // Redis 7.4: ssub (7.0.3), lib-name/lib-ver (7.2) and watch (7.4), RESP3, IPv6 and unix-socket clients.
  const redis74 = [
    'id=7 addr=10.42.3.17:51874 laddr=10.42.0.9:6379 fd=12 name=agent-bruno:worker-3 age=5400 idle=812 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1928 events=r cmd=get user=default redir=-1 resp=3 lib-name=redis-py lib-ver=5.0.1',
    'id=8 addr=[2001:db8::17]:40112 laddr=[2001:db8::9]:6379 fd=13 name=homepage-api age=30 idle=30 flags=P db=0 sub=0 psub=0 ssub=2 multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1976 events=r cmd=ssubscribe user=app redir=-1 resp=3 lib-name=ioredis lib-ver=5.4.1',
    'id=9 addr=/var/run/redis/redis.sock:0 laddr=/var/run/redis/redis.sock:0 fd=14 name= age=3 idle=0 flags=U db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=info user=exporter redir=-1 resp=2 lib-name= lib-ver=',
    'id=10 addr=10.42.3.18:40001 laddr=10.42.0.9:6379 fd=15 name=idle=99999 age=12 idle=4 flags=x db=2 sub=0 psub=0 ssub=0 multi=3 watch=2 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=120 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22520 events=r cmd=set user=default redir=-1 resp=2 lib-name=go-redis(,go1.22.4) lib-ver=9.5.1',
    `id=11 addr=10.42.3.19:40002 laddr=10.42.0.9:6379 fd=16 name=${'n='.repeat(256)}"end' age=1 idle=1 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1928 events=r cmd=ping user=default redir=-1 resp=2 lib-name= lib-ver=`,
  ].join('\n');

  it('reads the Redis 7.4 fields', () => {
    const [a, b, c, d, e] = parseClientList(`${redis74}\n`);
    expect(a).toMatchObject({ name: 'agent-bruno:worker-3', idle: 812, age: 5400, watch: 0, resp: 3, libName: 'redis-py', libVer: '5.0.1' });
    expect(b).toMatchObject({ ssub: 2, flags: 'P', cmd: 'ssubscribe', user: 'app', libName: 'ioredis' });
    expect(clientHost(b!.addr)).toBe('2001:db8::17');
    expect(isProtectedClient(b!)).toBe('pub/sub');
    expect(c).toMatchObject({ name: '', user: 'exporter', libName: undefined, libVer: undefined });
    expect(isUnixSocketClient(c!)).toBe(true);
    expect(clientHost(c!.addr)).toBe('/var/run/redis/redis.sock');
    // A name that looks like another field stays a name.
    expect(d).toMatchObject({ name: 'idle=99999', idle: 4, db: 2, multi: 3, watch: 2, libName: 'go-redis(,go1.22.4)' });
    expect(e?.name).toBe(`${'n='.repeat(256)}"end'`);
    expect(e?.idle).toBe(1);
  });

  it('reads io-thread and the tot-net-in/out and tot-cmds counters printed after lib-ver by newer servers', () => {
    const c = parseClientLine(
      'id=42 addr=10.0.0.5:6001 laddr=10.0.0.2:6379 fd=9 name=api age=100 idle=7 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=5 obl=0 oll=0 omem=0 tot-mem=1928 events=r cmd=hgetall user=default redir=-1 resp=2 lib-name=jedis lib-ver=5.1.0 io-thread=1 tot-net-in=91234 tot-net-out=2200331 tot-cmds=1873\r',
    );
    expect(c).toMatchObject({ id: '42', ioThread: 1, totNetIn: 91234, totNetOut: 2200331, totCmds: 1873, libName: 'jedis', cmd: 'hgetall' });
    expect(c?.raw['tot-cmds']).toBe('1873');
  });

  it('skips blank and malformed lines instead of inventing clients', () => {
    expect(parseClientList('\n\r\nnot a client line\nid=1\naddr=1.2.3.4:5\n')).toEqual([]);
  });

  it('finds the host of bare IPv6 and IPv4 addrs', () => {
    expect(clientHost('::ffff:10.1.2.3:5555')).toBe('::ffff:10.1.2.3');
    expect(clientHost('10.1.2.3:5555')).toBe('10.1.2.3');
  });
});
