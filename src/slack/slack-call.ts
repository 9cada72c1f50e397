/** One Slack Web API write, as queued on slack-out. Files travel base64 so the job stays JSON. */
export type SlackCall =
  | { method: 'chat.postMessage'; args: { channel: string; text: string; blocks?: unknown[]; thread_ts?: string; reply_broadcast?: boolean } }
  | { method: 'chat.update'; args: { channel: string; ts: string; text: string; blocks?: unknown[] } }
  | { method: 'chat.postEphemeral'; args: { channel: string; user: string; text: string; blocks?: unknown[]; thread_ts?: string } }
  | {
      method: 'files.uploadV2';
      args: { channel_id: string; thread_ts?: string; filename: string; title: string; alt_text?: string; contentBase64: string; initial_comment?: string };
    };

export interface SlackCallResult {
  ok: boolean;
  ts?: string;
  channel?: string;
}
