import { connect as tcpConnect } from 'node:net';
import { Redis } from 'ioredis';
import { ConnbotError, errorMessage } from '../../errors.js';
import type { RedisTarget } from '../../catalog/schema.js';
import { parseClientList, type RedisClientInfo } from './client-list.js';
import { parseInfo, type RedisInfo } from './info.js';

/**
 * The Redis a runbook diagnoses (not connbot's own state store). One connection, opened on first use and reopened
 * if the server closed it (a `timeout` or someone's CLIENT KILL); its own CLIENT ID is known so remediations never
 * kill it.
 */
export class RedisTargetClient {
  private conn: Redis | undefined;
  private connecting: Promise<Redis> | undefined;
  private ownId: string | undefined;
  readonly displayUrl: string;

  constructor(
    private readonly target: RedisTarget,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.displayUrl = redactRedisUrl(target.url);
  }

  private connection(): Promise<Redis> {
    if (this.conn && this.conn.status !== 'end' && this.conn.status !== 'close') return Promise.resolve(this.conn);
    // Checks run concurrently: they must share one connection attempt, not each open (and leak) their own.
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Redis> {
    if (this.conn) {
      this.conn.disconnect();
      this.conn = undefined;
      this.ownId = undefined;
    }
    const raw = this.target.passwordFromEnv ? this.env[this.target.passwordFromEnv] : undefined;
    // An empty value (a blank line in .env) is as good as unset: say so rather than fail to authenticate.
    const password = raw === '' ? undefined : raw;
    if (this.target.passwordFromEnv && password === undefined) {
      throw new ConnbotError('TARGET_NOT_CONFIGURED', `${this.target.passwordFromEnv} is not set`, {
        hint: `export ${this.target.passwordFromEnv} with the password of ${this.displayUrl}`,
      });
    }
    const conn = new Redis(this.target.url, {
      ...(password !== undefined ? { password } : {}),
      connectionName: 'connbot-diagnostics',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5000,
      retryStrategy: () => null,
    });
    // ioredis reports why a connection failed (refused, unknown host, wrong password, maxclients) as an 'error'
    // event and rejects connect() with only "Connection is closed": keep the reason for the finding.
    const errors: Error[] = [];
    conn.on('error', (err: Error) => {
      errors.push(err);
    });
    try {
      await conn.connect();
      this.ownId = String(await conn.client('ID'));
    } catch (err) {
      conn.disconnect();
      // Redis's own refusal (a wrong password) comes first; the socket errors after it are its echo. A Redis at
      // maxclients writes its refusal and hangs up before ioredis reads it (EPIPE): ask it again, raw.
      let told = errors.find((e) => e.name === 'ReplyError') ?? errors[0] ?? (err as Error);
      const code = (told as NodeJS.ErrnoException).code;
      if (code === 'EPIPE' || code === 'ECONNRESET' || /Connection is closed/.test(told.message)) {
        const refusal = await greetingRefusal(this.target.url);
        if (refusal) told = new Error(refusal);
      }
      const reason = connectFailure(told);
      throw new ConnbotError('INTEGRATION_FAILED', `cannot connect to ${this.displayUrl}: ${reason.text}`, {
        cause: err,
        ...(reason.hint ? { hint: reason.hint } : {}),
      });
    }
    this.conn = conn;
    return conn;
  }

  async connectionId(): Promise<string> {
    await this.connection();
    return this.ownId!;
  }

  async info(section?: string): Promise<RedisInfo> {
    const c = await this.connection();
    const text = section ? await c.info(section) : await c.info();
    return parseInfo(text);
  }

  async clientList(): Promise<RedisClientInfo[]> {
    const c = await this.connection();
    return parseClientList(String(await c.client('LIST')));
  }

  /**
   * `CLIENT LIST ID a b …` (Redis 6.2+): a fresh look at a few clients without listing thousands. Ids that are
   * gone are simply absent. Older servers reject the filter; then the full list is filtered here.
   */
  async clientListByIds(ids: readonly string[]): Promise<RedisClientInfo[]> {
    if (ids.length === 0) return [];
    const c = await this.connection();
    try {
      return parseClientList(String(await c.client('LIST', 'ID', ...ids)));
    } catch (err) {
      if (!isReplyError(err) || !/syntax|unknown|wrong number/i.test(err.message)) throw err;
      const wanted = new Set(ids);
      return (await this.clientList()).filter((x) => wanted.has(x.id));
    }
  }

  async configGet(name: string): Promise<string | undefined> {
    const c = await this.connection();
    const pair = (await c.config('GET', name)) as string[];
    return pair[1];
  }

  /** CONFIG GET as a number; undefined when the server hides CONFIG (managed Redis) or the value is not numeric. */
  async configNumber(name: string): Promise<number | undefined> {
    let v: string | undefined;
    try {
      v = await this.configGet(name);
    } catch (err) {
      if (isReplyError(err)) return undefined;
      throw err;
    }
    const n = Number(v);
    return v !== undefined && v !== '' && Number.isFinite(n) ? n : undefined;
  }

  async configSet(name: string, value: string): Promise<void> {
    const c = await this.connection();
    await c.config('SET', name, value);
  }

  /** Kill one client by id; never ourselves. Returns whether Redis killed it. */
  async clientKillById(id: string): Promise<boolean> {
    const c = await this.connection();
    if (id === this.ownId) return false;
    const killed = (await c.client('KILL', 'ID', id, 'SKIPME', 'yes')) as number;
    return killed > 0;
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const c = this.conn;
    this.conn = undefined;
    if (c) await c.quit().catch(() => c.disconnect());
  }
}

/** An error reply from the server (as opposed to a broken connection). */
export function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** What a failed connection means, in words a person can act on. */
export function connectFailure(err: Error): { text: string; hint?: string } {
  const code = (err as NodeJS.ErrnoException).code;
  const text = errorMessage(err);
  if (/max number of clients reached/i.test(text)) {
    return { text, hint: 'Redis is at maxclients and refuses new connections: this is the exhaustion the runbook is about' };
  }
  if (/WRONGPASS|invalid username-password|NOAUTH|AUTH failed/i.test(text)) {
    return { text, hint: "check the password in the env var the catalog's passwordFromEnv names" };
  }
  if (code === 'ECONNREFUSED') return { text: `${text} (ECONNREFUSED)`, hint: 'nothing listens there: is Redis up, and is the catalog URL right?' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { text: `${text} (${code})`, hint: 'the host name does not resolve from here' };
  if (code === 'ETIMEDOUT' || /timeout/i.test(text)) return { text, hint: 'no answer: a firewall, a wrong port, or a Redis too busy to accept' };
  return { text };
}

/**
 * What a plain-TCP Redis says to a new connection before anything is sent: nothing when it accepts, or an error
 * line when it refuses (`-ERR max number of clients reached`). Bounded to a second; TLS URLs are not probed.
 */
export function greetingRefusal(url: string, ms = 1000): Promise<string | undefined> {
  const u = new URL(url);
  if (u.protocol !== 'redis:') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: u.hostname, port: Number(u.port || 6379) });
    let data = '';
    const done = (answer: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), ms);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const line = data.split('\r\n')[0]!;
      if (data.includes('\r\n')) done(line.startsWith('-') ? line.slice(1) : undefined);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(data.startsWith('-') ? data.slice(1).trim() : undefined));
  });
}
