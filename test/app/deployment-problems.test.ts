import { describe, expect, it } from 'vitest';
import { validateCatalog } from '../../src/catalog/load-catalog.js';
import { parseEnv } from '../../src/config/env.js';
import { deploymentProblems, startConnbot } from '../../src/app/start-connbot.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';

const env = (extra: Record<string, string>) => parseEnv({ REDIS_URL: 'redis://127.0.0.1:1', ROLE: 'worker', ...extra });
const catalog = (defaults: Record<string, unknown>) => validateCatalog({ version: 1, defaults, services: {} });

describe('an alert endpoint with nowhere to post unmapped alerts', () => {
  it('is refused at start, naming the catalog field and why', async () => {
    const problems = deploymentProblems(env({ ALERTMANAGER_TOKEN: 'a-long-enough-token' }), catalog({}));
    expect(problems).toEqual(['defaults.channel: required in the catalog when ALERTMANAGER_TOKEN is set (alerts that match no service are posted there)']);
    await expect(startConnbot({ env: env({ SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:t' }), catalog: catalog({}), log: silentLogger })).rejects.toBeInstanceOf(ConfigError);
  });

  it('is fine with a default channel, or without alert endpoints', () => {
    expect(deploymentProblems(env({ ALERTMANAGER_TOKEN: 'a-long-enough-token' }), catalog({ channel: 'C0ALERTS' }))).toEqual([]);
    expect(deploymentProblems(env({}), catalog({}))).toEqual([]);
  });
});

describe('a bot token Slack refuses', () => {
  it('stops the start with one line naming SLACK_BOT_TOKEN, not an unhandled rejection', async () => {
    const { startRedis } = await import('../support/redis-server.js');
    const { startTestBot } = await import('../support/start-test-bot.js');
    const state = await startRedis();
    try {
      const started = startTestBot({ stateRedisUrl: state.url, catalog: { version: 1, services: {} }, env: { SLACK_BOT_TOKEN: 'xoxb-revoked-0000' } });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toThrow(/SLACK_BOT_TOKEN: Slack refused it \(invalid_auth\)/);
    } finally {
      await state.stop();
    }
  });
});

describe('an app token Slack refuses (Socket Mode)', () => {
  it('stops the start naming SLACK_APP_TOKEN, instead of retrying for ever without listening', async () => {
    const { startRedis } = await import('../support/redis-server.js');
    const { startTestBot } = await import('../support/start-test-bot.js');
    const state = await startRedis();
    try {
      const started = startTestBot({ stateRedisUrl: state.url, catalog: { version: 1, services: {} }, env: { SLACK_APP_TOKEN: 'xapp-revoked-0000' } });
      await expect(started).rejects.toThrow(/SLACK_APP_TOKEN: Slack refused it \(invalid_auth\)/);
    } finally {
      await state.stop();
    }
  }, 45_000);
});
