import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/start-test-bot.js';
import { postSigned, slashCommandBody } from '../support/fake-slack.js';
import { waitFor } from '../support/wait-for.js';

const CHANNEL = 'C0OPS';

describe('shutdown (SIGTERM) while a diagnosis runs', () => {
  let state: PrivateRedis;
  let target: PrivateRedis;
  let t: TestBot;

  beforeAll(async () => {
    [state, target] = await Promise.all([startRedis(), startRedis()]);
    t = await startTestBot({
      stateRedisUrl: state.url,
      catalog: {
        version: 1,
        services: {
          'redis-master': {
            runbooks: ['redis-pool-exhaustion'],
            // The leak trend samples for about 1.5 s: long enough to be caught mid-run by the shutdown.
            envs: { prod: { channel: CHANNEL, redis: { url: target.url }, params: { trendSamples: 4, trendIntervalMs: 500 } } },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await t?.stop();
    await Promise.all([state?.stop(), target?.stop()]);
  });

  it('lets it finish and post its report before the process lets go', async () => {
    const res = await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check redis-master prod', user_id: 'U0ASKER', channel_id: CHANNEL }));
    expect(res.status).toBe(200);
    const root = await waitFor('root message', () => t.slack.roots(CHANNEL)[0]);
    const started = Date.now();
    await t.bot.close();
    // Well inside the 2 s drain the test bot allows: the drain did not wait for its own deadline.
    expect(Date.now() - started).toBeLessThan(6000);
    const replies = t.slack.threadReplies(CHANNEL, root.ts);
    expect(replies.some((m) => /maxclients/i.test(JSON.stringify(m.blocks)) && !/checks done/.test(m.text))).toBe(true);
  });
});
