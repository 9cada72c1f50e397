import type { DetailBlock, Evidence, Finding } from '../../domain/finding.js';
import { summariseSeries } from '../terminal/sparkline.js';
import { alignTable } from '../terminal/text-table.js';
import { codeBlock, context, LIMITS, section, SKIPPED_EMOJI, STATUS_EMOJI, type KnownBlock } from './block-kit.js';
import { escapeCode, escapeMrkdwn, redactSecrets } from './mrkdwn.js';

/** One check: its status line, then its details, then the calls that produced it. */
export function findingBlocks(f: Finding): KnownBlock[] {
  const emoji = f.skipped ? SKIPPED_EMOJI : STATUS_EMOJI[f.status];
  const head = section(`${emoji} *${escapeMrkdwn(f.title)}* — ${escapeMrkdwn(f.summary)}`);
  const blocks: KnownBlock[] = [head, ...detailBlocks(f.details)];
  const evidence = evidenceBlock(f.evidence);
  if (evidence) blocks.push(evidence);
  return blocks;
}

/**
 * Tables and series go in code blocks (monospace keeps columns aligned); images are uploaded into the thread by
 * the Slack layer, so here they are only announced.
 */
export function detailBlocks(details: readonly DetailBlock[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (const d of details) {
    switch (d.kind) {
      case 'text':
        blocks.push(section(escapeMrkdwn(d.text)));
        break;
      case 'table': {
        const caption = d.caption ? `${escapeMrkdwn(d.caption)}\n` : '';
        // Redact before aligning: redaction changes a cell's length, entity escaping (done in codeBlock) does not
        // change what Slack displays.
        const lines = alignTable(d.columns.map(redactSecrets), d.rows.map((r) => r.map(redactSecrets)));
        blocks.push(section(caption + codeBlock(lines, LIMITS.sectionText - caption.length)));
        break;
      }
      case 'series': {
        const s = summariseSeries(d, 30);
        blocks.push(section(`${escapeMrkdwn(d.label)}\n\`${s.spark}\`  ${escapeMrkdwn(s.stats)}`));
        break;
      }
      case 'image':
        blocks.push(context([`:bar_chart: ${escapeMrkdwn(d.title)} — chart attached below`]));
        break;
    }
  }
  return blocks;
}

/** The exact call and the runbook's CLI equivalent, so a person can re-run it by hand. */
export function evidenceBlock(evidence: readonly Evidence[]): KnownBlock | undefined {
  if (evidence.length === 0) return undefined;
  return context(
    evidence.map((e) => {
      const call = `call: \`${escapeCode(e.call).replace(/\n/g, ' ')}\``;
      return e.cli ? `${call}\n${codeBlock(e.cli.split('\n'), LIMITS.contextText - call.length - 1, 'lines')}` : call;
    }),
  );
}
