import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTargetClient } from '../../../src/integrations/redis/redis-target.js';
import { clientHost, isUnixSocketClient } from '../../../src/integrations/redis/client-list.js';
import { startRedis, type PrivateRedis } from '../../support/redis-server.js';

const ODD_NAMES = ['name=with=equals', `q"uo'te\`s`, '!#$%&()*+,-./:;<>?@[\\]^_{|}~', 'x'.repeat(500), 'idle=99999'];

describe('RedisTargetClient against a private redis-server', () => {
  let server: PrivateRedis;
  const dir = mkdtempSync(join(tmpdir(), 'connbot-sock-'));
  const socket = join(dir, 'redis.sock');
  const others: Redis[] = [];

  const open = async (opts: RedisOptions, name?: string) => {
    const r = new Redis({ ...opts, retryStrategy: () => null, lazyConnect: true, ...(name !== undefined ? { connectionName: name } : {}) });
    r.on('error', () => {});
    others.push(r);
    await r.connect();
    return r;
  };

  beforeAll(async () => {
    // "-::1": listen on IPv6 loopback too when the machine has it, without failing when it does not.
    server = await startRedis({ maxclients: 40, extraArgs: ['--bind', '127.0.0.1 -::1', '--unixsocket', socket, '--unixsocketperm', '700'] });
  });

  afterAll(async () => {
    for (const r of others) r.disconnect();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares one connection between concurrent first calls instead of opening one each', async () => {
    const client = new RedisTargetClient({ url: server.url });
    try {
      await Promise.all([client.info('clients'), client.clientList(), client.connectionId(), client.configGet('maxclients')]);
      const mine = (await client.clientList()).filter((c) => c.name === 'connbot-diagnostics');
      expect(mine).toHaveLength(1);
      expect(mine[0]!.id).toBe(await client.connectionId());
    } finally {
      await client.close();
    }
  });

  it('round-trips odd client names, IPv6 and unix-socket clients through a live CLIENT LIST', async (ctx) => {
    for (const name of ODD_NAMES) await open({ port: server.port, host: '127.0.0.1' }, name);
    await open({ path: socket }, 'over-unix-socket');
    const v6 = await open({ port: server.port, host: '::1' }, 'over-ipv6').catch(() => undefined);
    const client = new RedisTargetClient({ url: server.url });
    try {
      const list = await client.clientList();
      const names = list.map((c) => c.name);
      for (const name of ODD_NAMES) expect(names).toContain(name);
      const weird = list.find((c) => c.name === 'idle=99999')!;
      expect(weird.idle).toBeLessThan(5);
      const unix = list.find((c) => c.name === 'over-unix-socket')!;
      expect(unix.addr).toBe(`${socket}:0`);
      expect(isUnixSocketClient(unix)).toBe(true);
      expect(clientHost(unix.addr)).toBe(socket);
      if (!v6) return ctx.skip('no IPv6 loopback on this machine');
      const six = list.find((c) => c.name === 'over-ipv6')!;
      expect(six.addr).toMatch(/^\[::1\]:\d+$/);
      expect(clientHost(six.addr)).toBe('::1');
    } finally {
      await client.close();
    }
  });

  it('lists chosen clients by ID, leaving out ones that are gone', async () => {
    const a = await open({ port: server.port, host: '127.0.0.1' }, 'by-id-a');
    const aId = String(await a.client('ID'));
    const client = new RedisTargetClient({ url: server.url });
    try {
      const found = await client.clientListByIds([aId, '999999']);
      expect(found.map((c) => [c.id, c.name])).toEqual([[aId, 'by-id-a']]);
      expect(await client.clientListByIds([])).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('refuses to kill its own connection, kills others by ID, and reopens after being killed from outside', async () => {
    const victim = await open({ port: server.port, host: '127.0.0.1' }, 'victim');
    const victimId = String(await victim.client('ID'));
    const client = new RedisTargetClient({ url: server.url });
    try {
      const ownId = await client.connectionId();
      expect(await client.clientKillById(ownId)).toBe(false);
      expect(await client.clientKillById(victimId)).toBe(true);
      expect(await client.clientKillById(victimId)).toBe(false);
      expect(await client.configNumber('maxclients')).toBe(40);

      const admin = await open({ port: server.port, host: '127.0.0.1' }, 'admin');
      await admin.client('KILL', 'ID', ownId);
      await new Promise((r) => setTimeout(r, 50));
      const info = await client.info('clients');
      expect(info.connected_clients).toBeDefined();
      expect(await client.connectionId()).not.toBe(ownId);
    } finally {
      await client.close();
    }
  });

  it('says the password variable is missing before trying to connect', async () => {
    const client = new RedisTargetClient({ url: server.url, passwordFromEnv: 'CONNBOT_TEST_NO_SUCH_PASSWORD' }, {});
    await expect(client.info()).rejects.toThrow('CONNBOT_TEST_NO_SUCH_PASSWORD is not set');
    await client.close();
  });
});
