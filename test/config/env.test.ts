import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { ConfigError } from '../../src/errors.js';

describe('environment', () => {
  it('applies the documented defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      HOST: '0.0.0.0',
      PORT: 3000,
      CATALOG_PATH: 'manifests/catalog.example.yaml',
      ROLE: 'all',
      DRY_RUN: false,
      LOG_LEVEL: 'info',
      SLACK_API_URL: 'https://slack.com/api/',
      SNS_TOPIC_ARNS: [],
    });
  });

  it('reports every problem, one line per variable', () => {
    try {
      parseEnv({ PORT: 'eighty', ROLE: 'both', REDIS_URL: 'localhost:6379', DRY_RUN: 'maybe' }, { requireSlack: true });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
      expect(problems.some((p) => p.startsWith('ROLE:'))).toBe(true);
      expect(problems.some((p) => p.startsWith('REDIS_URL:'))).toBe(true);
      expect(problems.some((p) => p.startsWith('DRY_RUN:'))).toBe(true);
      // The missing Slack credentials are listed in the same run, not after the others are fixed.
      expect(problems.some((p) => p.startsWith('SLACK_BOT_TOKEN:'))).toBe(true);
      expect(problems.some((p) => p.startsWith('SLACK_SIGNING_SECRET:'))).toBe(true);
    }
  });

  it('reads booleans in any case, and names what a port and an SNS topic must look like', () => {
    expect(parseEnv({ DRY_RUN: 'TRUE' }).DRY_RUN).toBe(true);
    expect(() => parseEnv({ PORT: 'abc' })).toThrow(/PORT: must be a port number/);
    expect(() => parseEnv({ SNS_TOPIC_ARNS: 'golden-alarms' })).toThrow(/SNS_TOPIC_ARNS.0: each must be an SNS topic ARN/);
  });

  it('requires Slack credentials to run the bot, and parses lists', () => {
    expect(() => parseEnv({}, { requireSlack: true })).toThrow(/SLACK_BOT_TOKEN: required/);
    const env = parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:a, arn:aws:sns:eu-west-1:123456789012:b', DRY_RUN: 'true' }, { requireSlack: true });
    expect(env.SNS_TOPIC_ARNS).toEqual(['arn:aws:sns:us-east-1:123456789012:a', 'arn:aws:sns:eu-west-1:123456789012:b']);
    expect(env.DRY_RUN).toBe(true);
  });
});
