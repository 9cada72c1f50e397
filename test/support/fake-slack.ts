import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SlackApiCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

interface Message {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
}

/**
 * A local stand-in for the Slack Web API at the wire: the real WebClient posts form-encoded (or JSON) bodies here,
 * blocks arriving as a JSON string. Keeps the messages it was sent so tests read the channel like a person would.
 */
export class FakeSlack {
  readonly calls: SlackApiCall[] = [];
  readonly messages = new Map<string, Message>();
  readonly ephemerals: Array<{ channel: string; user: string; text: string }> = [];
  readonly uploads: Array<{ filename: string; bytes: number; channel_id?: string; thread_ts?: string; title?: string }> = [];
  userGroups = new Map<string, string[]>();
  /** method → queued failures to answer with before behaving. */
  private readonly failures = new Map<string, Array<{ status: number; retryAfter?: number; error?: string }>>();
  private server: Server | undefined;
  private seq = 0;
  private pendingUploads = new Map<string, { filename: string; bytes: number }>();
  private socketServer: WebSocketServer | undefined;
  private socket: WebSocket | undefined;
  private readonly socketWaiters: Array<() => void> = [];
  private readonly acks = new Map<string, (payload: Record<string, unknown>) => void>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body, headers }) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    });
    // Socket Mode at the wire: apps.connections.open hands out this WebSocket, which says hello and carries envelopes.
    this.socketServer = new WebSocketServer({ server: this.server, path: '/socket-mode' });
    this.socketServer.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (msg.envelope_id) this.acks.get(msg.envelope_id)?.(msg.payload ?? {});
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0CONNBOT' } }));
      for (const w of this.socketWaiters.splice(0)) w();
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this;
  }

  /** Resolves once an app has opened its Socket Mode connection. */
  socketConnected(): Promise<void> {
    return this.socket ? Promise.resolve() : new Promise((r) => this.socketWaiters.push(r));
  }

  /** Deliver a Socket Mode envelope (slash_commands, interactive, …) and resolve with the app's ack payload. */
  sendEnvelope(type: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const socket = this.socket;
    if (!socket) throw new Error('no Socket Mode connection');
    const envelopeId = `env-${(this.seq += 1)}`;
    return new Promise((resolve) => {
      this.acks.set(envelopeId, resolve);
      socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api' }));
    });
  }

  async stop(): Promise<void> {
    for (const c of this.socketServer?.clients ?? []) c.terminate();
    this.socketServer?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  failNext(method: string, failure: { status: number; retryAfter?: number; error?: string }, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  callsOf(method: string): SlackApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  threadReplies(channel: string, threadTs: string): Message[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && m.thread_ts === threadTs);
  }

  roots(channel?: string): Message[] {
    return [...this.messages.values()].filter((m) => !m.thread_ts && (!channel || m.channel === channel));
  }

  private nextTs(): string {
    this.seq += 1;
    return `1700000000.${String(this.seq).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '').split('?')[0]!;
    if (path.startsWith('/upload/')) {
      const id = path.slice('/upload/'.length);
      const u = this.pendingUploads.get(id);
      if (u) u.bytes = uploadedFile(req.headers['content-type'] ?? '', raw).length;
      return { status: 200, body: { ok: true } };
    }
    const method = path.replace(/^\/api\//, '');
    const args = parseArgs(req.headers['content-type'] ?? '', raw.toString('utf8'));
    this.calls.push({ method, args, at: Date.now() });
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      if (failure.status === 429) {
        return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(failure.retryAfter ?? 1) } };
      }
      if (failure.status >= 500) return { status: failure.status, body: { ok: false, error: 'internal_error' } };
      return { status: 200, body: { ok: false, error: failure.error ?? 'invalid_arguments' } };
    }
    const auth = req.headers.authorization ?? '';
    if (method === 'apps.connections.open') {
      // Only an app-level token may open a socket.
      if (!auth.startsWith('Bearer xapp-')) return { status: 200, body: { ok: false, error: 'not_allowed_token_type' } };
      if (auth.startsWith('Bearer xapp-revoked')) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      return { status: 200, body: { ok: true, url: `${this.url.replace(/^http/, 'ws').replace(/api\/$/, '')}socket-mode` } };
    }
    // A well-formed token Slack no longer accepts (revoked, from another workspace).
    if (auth.startsWith('Bearer xoxb-revoked')) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    if (!auth.startsWith('Bearer xoxb-')) return { status: 200, body: { ok: false, error: 'not_authed' } };
    const blocks = typeof args.blocks === 'string' ? (JSON.parse(args.blocks) as unknown[]) : ((args.blocks as unknown[]) ?? []);
    switch (method) {
      case 'auth.test':
        return { status: 200, body: { ok: true, url: 'https://fake.slack/', team: 'Fake', user: 'connbot', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' } };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        const channel = String(args.channel);
        const m: Message = { channel, ts, text: String(args.text ?? ''), blocks, ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}) };
        this.messages.set(ts, m);
        return { status: 200, body: { ok: true, channel, ts, message: m } };
      }
      case 'chat.update': {
        const m = this.messages.get(String(args.ts));
        if (!m) return { status: 200, body: { ok: false, error: 'message_not_found' } };
        m.text = String(args.text ?? m.text);
        m.blocks = blocks;
        return { status: 200, body: { ok: true, channel: m.channel, ts: m.ts } };
      }
      case 'chat.postEphemeral':
        this.ephemerals.push({ channel: String(args.channel), user: String(args.user), text: String(args.text ?? '') });
        return { status: 200, body: { ok: true, message_ts: this.nextTs() } };
      case 'usergroups.users.list':
        return { status: 200, body: { ok: true, users: this.userGroups.get(String(args.usergroup)) ?? [] } };
      case 'files.getUploadURLExternal': {
        const id = `F${this.nextTs().replace('.', '')}`;
        this.pendingUploads.set(id, { filename: String(args.filename), bytes: 0 });
        return { status: 200, body: { ok: true, upload_url: `${this.url.replace(/api\/$/, '')}upload/${id}`, file_id: id } };
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(String(args.files)) as Array<{ id: string; title?: string }>;
        for (const f of files) {
          const u = this.pendingUploads.get(f.id);
          this.uploads.push({
            filename: u?.filename ?? '?',
            bytes: u?.bytes ?? 0,
            ...(args.channel_id ? { channel_id: String(args.channel_id) } : {}),
            ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
            ...(f.title ? { title: f.title } : {}),
          });
        }
        return { status: 200, body: { ok: true, files: files.map((f) => ({ id: f.id })) } };
      }
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  }
}

/** The file of a multipart upload (the WebClient posts files that way), or the raw body. */
function uploadedFile(contentType: string, raw: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return raw;
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = raw.indexOf(sep);
  while (at >= 0) {
    const next = raw.indexOf(sep, at + sep.length);
    if (next < 0) break;
    const part = raw.subarray(at + sep.length, next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0 && /filename=/.test(part.subarray(0, headEnd).toString())) return part.subarray(headEnd + 4, part.length - 2);
    at = next;
  }
  return raw;
}

function parseArgs(contentType: string, text: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return Object.fromEntries(new URLSearchParams(text));
}

/** Sign a request body as Slack does (v0 HMAC-SHA256 over `v0:ts:body`). */
export function slackSignature(secret: string, body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig, 'content-type': 'application/x-www-form-urlencoded' };
}

export async function postSigned(url: string, secret: string, body: string, opts: { forge?: boolean } = {}): Promise<Response> {
  const headers = slackSignature(opts.forge ? 'not-the-secret' : secret, body);
  return fetch(url, { method: 'POST', headers, body });
}

export function slashCommandBody(fields: { text: string; user_id: string; channel_id: string; trigger_id?: string }): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: fields.channel_id,
    channel_name: 'ops',
    user_id: fields.user_id,
    user_name: fields.user_id.toLowerCase(),
    command: '/conn',
    text: fields.text,
    api_app_id: 'A0CONNBOT',
    response_url: 'http://127.0.0.1:9/commands',
    trigger_id: fields.trigger_id ?? `${Date.now()}.${Math.random().toString(36).slice(2)}`,
  }).toString();
}

export function blockActionBody(fields: {
  user_id: string;
  channel_id: string;
  message_ts: string;
  action_id: string;
  value?: string;
  selected?: string;
}): string {
  const action = fields.selected
    ? { type: 'static_select', action_id: fields.action_id, block_id: 'b', selected_option: { text: { type: 'plain_text', text: fields.selected }, value: fields.selected }, action_ts: '1' }
    : { type: 'button', action_id: fields.action_id, block_id: 'b', value: fields.value, text: { type: 'plain_text', text: 'x' }, action_ts: '1' };
  const payload = {
    type: 'block_actions',
    user: { id: fields.user_id, username: fields.user_id.toLowerCase(), name: fields.user_id.toLowerCase(), team_id: 'T0FAKE' },
    api_app_id: 'A0CONNBOT',
    token: 'legacy',
    container: { type: 'message', message_ts: fields.message_ts, channel_id: fields.channel_id, is_ephemeral: false },
    trigger_id: `${Date.now()}.trigger`,
    team: { id: 'T0FAKE', domain: 'fake' },
    channel: { id: fields.channel_id, name: 'ops' },
    message: { type: 'message', ts: fields.message_ts, text: '' },
    response_url: 'http://127.0.0.1:9/actions',
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
