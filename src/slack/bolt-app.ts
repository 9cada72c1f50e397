import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import { ConfigError, ConnbotError, errorMessage } from '../errors.js';
import { MAX_BODY_BYTES } from '../web/read-body.js';

export interface BoltApp {
  app: InstanceType<typeof App>;
  /** POST /slack/events in HTTP mode; undefined in Socket Mode. */
  requestListener?: RequestListener;
  /** Checks the bot token with Slack (auth.test); must finish before any request is handled. */
  init(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Slack's answers to auth.test that mean the token itself is wrong, not that Slack is unwell. */
const BAD_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

/** How long Socket Mode may take to connect at start before the process gives up, saying why. */
const SOCKET_OPEN_MS = 30_000;

/**
 * Socket Mode's client retries apps.connections.open for ever; at start that would be a process that never says it
 * is listening, nor why. Bounded, with the app token named.
 */
async function openSocket(app: InstanceType<typeof App>, env: Env): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      app.start(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no Socket Mode connection within ${SOCKET_OPEN_MS / 1000} s`)), SOCKET_OPEN_MS);
      }),
    ]);
  } catch (err) {
    await app.stop().catch(() => undefined);
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code && BAD_TOKEN.has(code)) throw new ConfigError([`SLACK_APP_TOKEN: Slack refused it (${code}); use an app-level token (xapp-…) with connections:write`]);
    throw new ConnbotError('INTEGRATION_FAILED', `cannot open Socket Mode with SLACK_APP_TOKEN at ${env.SLACK_API_URL} (apps.connections.open): ${errorMessage(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** auth.test at start, with an answer a person can act on instead of an unhandled rejection and a stack. */
async function verifyToken(app: InstanceType<typeof App>, env: Env): Promise<void> {
  try {
    await app.init();
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code && BAD_TOKEN.has(code)) throw new ConfigError([`SLACK_BOT_TOKEN: Slack refused it (${code}); copy the Bot User OAuth Token (xoxb-…) of the installed app`]);
    throw new ConnbotError('INTEGRATION_FAILED', `cannot check SLACK_BOT_TOKEN with Slack at ${env.SLACK_API_URL} (auth.test): ${errorMessage(err)}`, { cause: err });
  }
}

/** Bolt in HTTP mode (signature-verified receiver mounted on our server) or Socket Mode when SLACK_APP_TOKEN is set. */
export function createBoltApp(env: Env, log: Logger): BoltApp {
  const token = env.SLACK_BOT_TOKEN!;
  const clientOptions = { slackApiUrl: env.SLACK_API_URL };
  const logger = boltLogger(log);
  if (env.SLACK_APP_TOKEN) {
    const app = new App({ token, appToken: env.SLACK_APP_TOKEN, socketMode: true, clientOptions, logger, deferInitialization: true });
    return { app, init: () => verifyToken(app, env), start: () => openSocket(app, env), stop: async () => void (await app.stop()) };
  }
  const receiver = new HTTPReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET!,
    endpoints: '/slack/events',
    // The contract's limit for every inbound body; Bolt's own default is 4 MB, read before the signature check.
    bodyLimit: MAX_BODY_BYTES,
    logger,
  });
  const app = new App({ token, receiver, clientOptions, logger, deferInitialization: true });
  return { app, requestListener: receiver.requestListener, init: () => verifyToken(app, env), start: async () => {}, stop: async () => {} };
}

function boltLogger(log: Logger) {
  const child = log.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: (l: typeof level) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}
