import { z } from 'zod';
import { ConfigError } from '../errors.js';

const bool = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', ''], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const snsTopicArns = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'each must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)')));

const EnvSchema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'must be a Slack bot token (xoxb-…)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token (xapp-…)').optional(),
  SLACK_API_URL: z.url().default('https://slack.com/api/'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number({ error: 'must be a port number (0-65535)' }).int('must be a port number (0-65535)').min(0).max(65535).default(3000),
  CATALOG_PATH: z.string().min(1).default('manifests/catalog.example.yaml'),
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  ALERTMANAGER_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SNS_TOPIC_ARNS: snsTopicArns.default([]),
  DRY_RUN: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix of every Redis key and queue; tests give each run its own. */
  REDIS_PREFIX: z.string().min(1).default('connbot'),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parse the process environment; every problem is one line naming the variable. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env, opts: { requireSlack?: boolean } = {}): Env {
  const raw = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = EnvSchema.safeParse(raw);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(`${issue.path.join('.') || '(env)'}: ${issue.message}`);
    }
  }
  // Checked against the raw values too, so one run lists every problem, not only the schema's.
  if (opts.requireSlack) {
    if (!raw.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required to run the bot');
    // Workers only post; verifying inbound requests is the web role's job.
    if (raw.ROLE !== 'worker' && !raw.SLACK_SIGNING_SECRET && !raw.SLACK_APP_TOKEN)
      problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}
