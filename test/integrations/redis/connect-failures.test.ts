import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTargetClient } from '../../../src/integrations/redis/redis-target.js';
import { ConnbotError } from '../../../src/errors.js';
import { freePort, startRedis, type PrivateRedis } from '../../support/redis-server.js';

async function failure(client: RedisTargetClient): Promise<ConnbotError> {
  try {
    await client.info();
  } catch (err) {
    return err as ConnbotError;
  } finally {
    await client.close();
  }
  throw new Error('expected the connection to fail');
}

describe('why a Redis target cannot be reached, said so a person can act', () => {
  let full: PrivateRedis;
  let locked: PrivateRedis;
  const holders: Redis[] = [];

  beforeAll(async () => {
    [full, locked] = await Promise.all([startRedis({ maxclients: 2 }), startRedis({ password: 's3cret' })]);
    for (let i = 0; i < 2; i++) {
      const c = new Redis(full.url);
      await c.ping();
      holders.push(c);
    }
  });
  afterAll(async () => {
    for (const c of holders) c.disconnect();
    await Promise.all([full?.stop(), locked?.stop()]);
  });

  it('tells maxclients (the runbook’s own scenario) from a refused port and a wrong password', async () => {
    const exhausted = await failure(new RedisTargetClient({ url: full.url }));
    expect(exhausted.message).toMatch(/max number of clients reached/);
    expect(exhausted.hint).toMatch(/at maxclients/);

    const refused = await failure(new RedisTargetClient({ url: `redis://127.0.0.1:${await freePort()}` }));
    expect(refused.message).toMatch(/ECONNREFUSED/);
    expect(refused.hint).toMatch(/nothing listens there/);

    const wrong = await failure(new RedisTargetClient({ url: locked.url, passwordFromEnv: 'PW' }, { PW: 'nope' }));
    expect(wrong.message).toMatch(/WRONGPASS|invalid username-password/);
    expect(wrong.hint).toMatch(/passwordFromEnv/);

    const blank = await failure(new RedisTargetClient({ url: locked.url, passwordFromEnv: 'PW' }, { PW: '' }));
    expect(blank.message).toBe('PW is not set');
  });
});
