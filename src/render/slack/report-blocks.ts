import type { Finding, Status } from '../../domain/finding.js';
import type { DiagnosisReport, RankedCause } from '../../diagnosis/report.js';
import type { ManualStep } from '../../runbooks/types.js';
import {
  codeBlock,
  context,
  divider,
  header,
  LIMITS,
  mentionUser,
  oneLine,
  packMessages,
  section,
  SKIPPED_EMOJI,
  STATUS_EMOJI,
  STATUS_WORD,
  type KnownBlock,
  type SlackMessage,
} from './block-kit.js';
import { findingBlocks } from './detail-blocks.js';
import { escapeCode, escapeMrkdwn, truncateText } from './mrkdwn.js';

export type { SlackMessage } from './block-kit.js';
export { decisionMessage, outcomeMessage, remediationMessage } from './remediation-blocks.js';
export { errorMessage, helpMessage, listMessage, type CatalogServiceSummary } from './catalog-blocks.js';

export interface RootMessageInput {
  service: string;
  env: string;
  runbookTitle: string;
  /** Slack user id of who asked (slash command). */
  requestedBy?: string;
  trigger: 'slash' | 'alert' | 'cli';
  status?: Status;
}

/** The one message in the env's channel; everything else goes in its thread. */
export function rootMessage(input: RootMessageInput): SlackMessage {
  const who =
    input.trigger === 'alert'
      ? 'triggered by an alert'
      : input.trigger === 'cli'
        ? `run from the CLI${input.requestedBy ? ` by ${mentionUser(input.requestedBy)}` : ''}`
        : `asked by ${mentionUser(input.requestedBy) ?? 'someone'}`;
  const target = `\`${escapeCode(input.service)}\` / \`${escapeCode(input.env)}\``;
  const state = input.status
    ? `${STATUS_EMOJI[input.status]} *${STATUS_WORD[input.status]}*`
    : ':hourglass_flowing_sand: diagnosing…';
  const text = `${state} — *${escapeMrkdwn(input.runbookTitle)}* on ${target}, ${who}`;
  return {
    text: oneLine(`${input.status ? STATUS_WORD[input.status] : 'Diagnosing'}: ${escapeMrkdwn(input.runbookTitle)} on ${escapeMrkdwn(input.service)}/${escapeMrkdwn(input.env)}`),
    blocks: [section(text), context(['Details follow in the thread.'])],
  };
}

export interface ProgressMessageInput {
  runbookTitle: string;
  done: number;
  total: number;
  findings: Finding[];
}

/** Updated in place while checks finish: one short line per finished check. */
export function progressMessage(input: ProgressMessageInput): SlackMessage {
  const head = `:hourglass_flowing_sand: *${escapeMrkdwn(input.runbookTitle)}* — ${input.done}/${input.total} checks done`;
  const lines = input.findings.map(
    (f) => `${f.skipped ? SKIPPED_EMOJI : STATUS_EMOJI[f.status]} ${escapeMrkdwn(oneLine(f.title, 80))} — ${escapeMrkdwn(oneLine(f.summary, 150))}`,
  );
  const body = truncateText([head, ...lines].join('\n'), LIMITS.sectionText, `… and more`);
  return { text: oneLine(`${input.done}/${input.total} checks done: ${escapeMrkdwn(input.runbookTitle)}`), blocks: [section(body)] };
}

/**
 * The final report: summary, one section per check, likely causes, proposals and manual steps. Split into several
 * messages when it exceeds 50 blocks; the Slack layer posts them in order and uploads image details itself.
 */
export function reportMessages(report: DiagnosisReport): SlackMessage[] {
  const where = `${report.service}/${report.env}`;
  const units: KnownBlock[][] = [summaryBlocks(report)];
  for (const f of report.findings) units.push([divider(), ...findingBlocks(f)]);
  if (report.causes.length > 0) units.push([divider(), ...causeBlocks(report.causes, report.findings)]);
  if (report.proposals.length > 0) {
    const lines = report.proposals.map(
      (p) => `• *${escapeMrkdwn(p.title)}* (${p.risk} risk) — ${escapeMrkdwn(p.summary)}`,
    );
    units.push([divider(), section(`*Proposed remediations* — each below, with its plan and buttons:\n${lines.join('\n')}`)]);
  }
  if (report.manualSteps.length > 0) units.push([divider(), ...manualStepBlocks(report.manualSteps)]);
  units.push([context([`Runbook \`${escapeCode(report.runbookSource)}\``, `run \`${escapeCode(report.runId)}\``])]);
  const headline = `${STATUS_WORD[report.status]} ${where}: ${report.runbookTitle}${report.causes[0] ? ` — likely ${report.causes[0].title}` : ''}`;
  return packMessages(units, (part, parts) =>
    escapeMrkdwn(oneLine(parts > 1 ? `${headline} (${part}/${parts})` : headline)),
  );
}

function summaryBlocks(report: DiagnosisReport): KnownBlock[] {
  const counts = new Map<string, number>();
  for (const f of report.findings) {
    const key = f.skipped ? 'skipped' : f.status;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const tally = ['crit', 'warn', 'unknown', 'error', 'ok', 'skipped']
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${k}`)
    .join(', ');
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const top = report.causes[0];
  const lines = [
    `${STATUS_EMOJI[report.status]} *${STATUS_WORD[report.status]}* — *${escapeMrkdwn(report.runbookTitle)}* on \`${escapeCode(report.service)}\` / \`${escapeCode(report.env)}\``,
    `${report.findings.length} checks${tally ? ` (${tally})` : ''}${Number.isFinite(seconds) ? ` in ${seconds.toFixed(1)} s` : ''}`,
  ];
  if (top) lines.push(`Likely cause: *${escapeMrkdwn(top.title)}* (${percent(top.confidence)} confidence)`);
  return [header(`${report.service} / ${report.env}: ${STATUS_WORD[report.status]}`), section(lines.join('\n'))];
}

function causeBlocks(causes: readonly RankedCause[], findings: readonly Finding[]): KnownBlock[] {
  const byId = new Map(findings.map((f) => [f.checkId, f]));
  const blocks: KnownBlock[] = [section(causes.length === 1 ? '*Likely cause*' : '*Likely causes*, most likely first')];
  for (const c of causes) {
    const support = c.supportedBy.map((id) => {
      const f = byId.get(id);
      return f ? `${STATUS_EMOJI[f.status]} ${escapeMrkdwn(f.title)}` : `\`${escapeCode(id)}\``;
    });
    blocks.push(
      section(
        [
          `*${escapeMrkdwn(c.title)}* — ${percent(c.confidence)} confidence`,
          escapeMrkdwn(c.explanation),
          support.length ? `_Supported by:_ ${support.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      ),
    );
  }
  return blocks;
}

function manualStepBlocks(steps: readonly ManualStep[]): KnownBlock[] {
  const blocks: KnownBlock[] = [section('*Manual steps* — no API can take these; values are filled in, ready to copy')];
  steps.forEach((s, i) => {
    const head = `*${i + 1}. ${escapeMrkdwn(s.title)}*\n${escapeMrkdwn(s.why)}\n`;
    const commands = s.commands.flatMap((c) => c.split('\n'));
    blocks.push(section(commands.length ? head + codeBlock(commands, LIMITS.sectionText - head.length, 'lines') : head));
  });
  return blocks;
}

function percent(confidence: number): string {
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)}%`;
}
