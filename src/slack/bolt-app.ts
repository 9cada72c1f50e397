import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import { MAX_BODY_BYTES } from '../web/read-body.js';

export interface BoltApp {
  app: InstanceType<typeof App>;
  /** POST /slack/events in HTTP mode; undefined in Socket Mode. */
  requestListener?: RequestListener;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Bolt in HTTP mode (signature-verified receiver mounted on our server) or Socket Mode when SLACK_APP_TOKEN is set. */
export function createBoltApp(env: Env, log: Logger): BoltApp {
  const token = env.SLACK_BOT_TOKEN!;
  const clientOptions = { slackApiUrl: env.SLACK_API_URL };
  const logger = boltLogger(log);
  if (env.SLACK_APP_TOKEN) {
    const app = new App({ token, appToken: env.SLACK_APP_TOKEN, socketMode: true, clientOptions, logger });
    return { app, start: async () => void (await app.start()), stop: async () => void (await app.stop()) };
  }
  const receiver = new HTTPReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET!,
    endpoints: '/slack/events',
    // The contract's limit for every inbound body; Bolt's own default is 4 MB, read before the signature check.
    bodyLimit: MAX_BODY_BYTES,
    logger,
  });
  const app = new App({ token, receiver, clientOptions, logger });
  return { app, requestListener: receiver.requestListener, start: async () => {}, stop: async () => {} };
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
