import { context, LIMITS, oneLine, section, type KnownBlock, type SlackMessage } from './block-kit.js';
import { escapeCode, escapeMrkdwn, truncateText } from './mrkdwn.js';

export interface CatalogServiceSummary {
  name: string;
  envs: string[];
  runbooks: string[];
  description?: string;
}

/** Ephemeral error reply (unknown service, bad grammar, …); the text may quote what the user typed. */
export function errorMessage(text: string): SlackMessage {
  return { text: oneLine(escapeMrkdwn(text)), blocks: [section(`:warning: ${escapeMrkdwn(text)}`)] };
}

/** `/conn help`: the grammar, then what can be checked. */
export function helpMessage(catalogServices: CatalogServiceSummary[]): SlackMessage {
  const example = catalogServices[0];
  const usage = [
    '*connbot* runs a connection-troubleshooting runbook against a service and proposes fixes that need approval.',
    '`/conn check <service> <env> [runbook]` — diagnose; the report goes in a thread in the env’s channel',
    '`/conn list` — services, their envs and runbooks',
    '`/conn help` — this message',
  ];
  if (example) {
    usage.push(`Example: \`/conn check ${escapeCode(example.name)} ${escapeCode(example.envs[0] ?? '<env>')}\``);
  }
  return {
    text: 'connbot: /conn check <service> <env> [runbook], /conn list, /conn help',
    blocks: [section(usage.join('\n')), ...serviceBlocks(catalogServices, false)],
  };
}

/** `/conn list`: every service with its envs, runbooks and description. */
export function listMessage(catalogServices: CatalogServiceSummary[]): SlackMessage {
  return {
    text: oneLine(`${catalogServices.length} services: ${escapeMrkdwn(catalogServices.map((s) => s.name).join(', '))}`),
    blocks: [section(`*${catalogServices.length} services in the catalog*`), ...serviceBlocks(catalogServices, true)],
  };
}

function serviceBlocks(services: CatalogServiceSummary[], withDescription: boolean): KnownBlock[] {
  if (services.length === 0) return [context(['The catalog has no services.'])];
  const lines = services.map((s) => {
    const envs = s.envs.map((e) => `\`${escapeCode(e)}\``).join(' ');
    const runbooks = s.runbooks.map((r) => escapeMrkdwn(r)).join(', ');
    const desc = withDescription && s.description ? ` — ${escapeMrkdwn(oneLine(s.description, 200))}` : '';
    return `• *${escapeMrkdwn(s.name)}*${desc}\n    envs: ${envs} · runbooks: ${runbooks}`;
  });
  // One section per ~3000 characters keeps a large catalog within both the text and the 50-block limits.
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + line.length + 1 > LIMITS.sectionText) {
      blocks.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : truncateText(line, LIMITS.sectionText, '…');
  }
  if (current) blocks.push(section(current));
  if (blocks.length > LIMITS.blocksPerMessage - 2) {
    const hidden = blocks.length - (LIMITS.blocksPerMessage - 3);
    return [...blocks.slice(0, LIMITS.blocksPerMessage - 3), context([`… truncated, ${hidden} more sections of services`])];
  }
  return blocks;
}
