import { randomBytes } from 'node:crypto';
import { validateCatalog } from '../../src/catalog/load-catalog.js';
import { parseEnv } from '../../src/config/env.js';
import { silentLogger } from '../../src/log.js';
import { startConnbot, type ConnbotInstance, type StartOptions } from '../../src/app/start-connbot.js';
import { FakeSlack } from './fake-slack.js';

export const SIGNING_SECRET = 'test-signing-secret';

export interface TestBot {
  bot: ConnbotInstance;
  slack: FakeSlack;
  eventsUrl: string;
  stop(): Promise<void>;
}

/** The real bot (web + workers) against a private Redis and the fake Slack Web API. */
export async function startTestBot(opts: {
  stateRedisUrl: string;
  catalog: unknown;
  env?: Record<string, string>;
  webhooks?: StartOptions['webhooks'];
}): Promise<TestBot> {
  const slack = await new FakeSlack().start();
  const env = parseEnv(
    {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      REDIS_URL: opts.stateRedisUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      REDIS_PREFIX: `t${randomBytes(4).toString('hex')}`,
      ...opts.env,
    },
    { requireSlack: true },
  );
  const bot = await startConnbot({
    env,
    catalog: validateCatalog(opts.catalog),
    log: silentLogger,
    drainMs: 2000,
    collectDefaultMetrics: false,
    ...(opts.webhooks ? { webhooks: opts.webhooks } : {}),
  }).catch(async (err: unknown) => {
    await slack.stop();
    throw err;
  });
  return {
    bot,
    slack,
    eventsUrl: `${bot.url}/slack/events`,
    async stop() {
      await bot.close();
      await slack.stop();
    },
  };
}
