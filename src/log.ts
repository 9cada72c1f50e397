import { pino, type Logger } from 'pino';

/** Secrets never reach the log: tokens, passwords and signing material are censored by key. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { app: 'connbot' },
    redact: {
      paths: ['*.token', '*.password', '*.secret', '*.signingSecret', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
