import { ConnbotError } from '../errors.js';

export type ConnCommand =
  | { kind: 'check'; service: string; env: string; runbook?: string }
  | { kind: 'list' }
  | { kind: 'help' };

export const CONN_USAGE = [
  '`/conn check <service> <env> [runbook]` — run the runbook diagnostics, post the report in a thread',
  '`/conn list` — services, their envs and runbooks',
  '`/conn help` — this help',
].join('\n');

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The `/conn` grammar. Names are lower-case words; anything else is a BAD_COMMAND with the usage. */
export function parseConnCommand(text: string): ConnCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [verb, ...rest] = words;
  if (!verb || verb === 'help') return { kind: 'help' };
  if (verb === 'list' && rest.length === 0) return { kind: 'list' };
  if (verb === 'check') {
    if (rest.length < 2 || rest.length > 3) {
      throw new ConnbotError('BAD_COMMAND', `\`check\` takes a service, an env and optionally a runbook.\n${CONN_USAGE}`);
    }
    const [service, env, runbook] = rest.map((w) => w.toLowerCase());
    for (const w of [service, env, runbook]) {
      if (w !== undefined && !NAME.test(w)) {
        throw new ConnbotError('BAD_COMMAND', `"${w.slice(0, 60)}" is not a valid name (lower-case letters, digits, -).`);
      }
    }
    return { kind: 'check', service: service!, env: env!, ...(runbook ? { runbook } : {}) };
  }
  throw new ConnbotError('BAD_COMMAND', `unknown subcommand "${verb.slice(0, 40)}".\n${CONN_USAGE}`);
}
