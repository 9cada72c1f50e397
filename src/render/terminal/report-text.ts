import type { DetailBlock, Evidence, Finding, Status } from '../../domain/finding.js';
import type { DiagnosisReport } from '../../diagnosis/report.js';
import type { ManualStep } from '../../runbooks/types.js';
import { paint, safeLine, safeText, type Paint } from './ansi.js';
import { summariseSeries } from './sparkline.js';
import { alignTable } from './text-table.js';

export interface TextOptions {
  /** ANSI colour; the CLI passes `process.stdout.isTTY`. */
  colour?: boolean;
}

const LABEL: Record<Status, string> = { ok: 'OK', warn: 'WARN', crit: 'CRIT', unknown: 'UNKNOWN', error: 'ERROR' };

export function statusLabel(status: Status): string {
  return LABEL[status];
}

/** The report as plain text: the same sections as the Slack view, in the same order. */
export function renderReportText(report: DiagnosisReport, opts: TextOptions = {}): string {
  const p = paint(opts.colour ?? false);
  const out: string[] = [];
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  out.push(
    `${p.bold(p.status(report.status, LABEL[report.status]))}  ${p.bold(`${safeLine(report.service)} / ${safeLine(report.env)}`)} — ${safeLine(report.runbookTitle)}`,
    p.dim(
      `run ${safeLine(report.runId)} · ${report.startedAt} · ${report.findings.length} checks in ${Number.isFinite(seconds) ? seconds.toFixed(1) : '?'} s · ${safeLine(report.runbookSource)}`,
    ),
    '',
  );
  for (const f of report.findings) out.push(...findingText(f, p), '');
  if (report.causes.length > 0) {
    const titles = new Map(report.findings.map((f) => [f.checkId, f]));
    out.push(p.bold(report.causes.length === 1 ? 'Likely cause' : 'Likely causes'));
    report.causes.forEach((c, i) => {
      out.push(`  ${i + 1}. ${p.bold(safeLine(c.title))} — ${Math.round(c.confidence * 100)}% confidence`);
      out.push(...indent(safeText(c.explanation).split('\n'), 5));
      const support = c.supportedBy.map((id) => {
        const f = titles.get(id);
        return f ? `${safeLine(f.title)} (${f.status})` : safeLine(id);
      });
      if (support.length > 0) out.push(`     supported by: ${support.join(', ')}`);
    });
    out.push('');
  }
  if (report.proposals.length > 0) {
    out.push(p.bold('Proposed remediations (each needs approval)'));
    for (const plan of report.proposals) {
      out.push(`  • ${safeLine(plan.title)} [${plan.risk} risk, id ${safeLine(plan.remediationId)}]: ${safeLine(plan.summary)}`);
    }
    out.push('');
  }
  if (report.manualSteps.length > 0) {
    out.push(p.bold('Manual steps'));
    report.manualSteps.forEach((s, i) => out.push(...manualStepText(s, i + 1, p)));
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function findingText(f: Finding, p: Paint): string[] {
  const head = f.skipped
    ? `${p.dim('[SKIP]')} ${p.bold(safeLine(f.title))} — ${safeLine(f.summary)}`
    : `${p.status(f.status, `[${LABEL[f.status]}]`)} ${p.bold(safeLine(f.title))} — ${safeLine(f.summary)}`;
  return [head, ...indent(detailsText(f.details), 4), ...indent(evidenceText(f.evidence, p), 4)];
}

/** Text, tables and series; images are skipped because the series they chart is shown instead. */
export function detailsText(details: readonly DetailBlock[]): string[] {
  const out: string[] = [];
  for (const d of details) {
    switch (d.kind) {
      case 'text':
        out.push(...safeText(d.text).split('\n'));
        break;
      case 'table':
        if (d.caption) out.push(safeLine(d.caption));
        out.push(...alignTable(d.columns.map(safeLine), d.rows.map((r) => r.map(safeLine))));
        break;
      case 'series': {
        const s = summariseSeries(d);
        out.push(`${safeLine(d.label)}  ${s.spark}  ${s.stats}`);
        break;
      }
      case 'image':
        break;
    }
  }
  return out;
}

function evidenceText(evidence: readonly Evidence[], p: Paint): string[] {
  const out: string[] = [];
  for (const e of evidence) {
    out.push(p.dim(`call: ${safeLine(e.call)}`));
    if (e.cli) {
      const [first, ...rest] = safeText(e.cli).split('\n');
      out.push(p.dim(`  $ ${first ?? ''}`), ...rest.map((l) => p.dim(`    ${l}`)));
    }
  }
  return out;
}

function manualStepText(step: ManualStep, n: number, p: Paint): string[] {
  return [
    `  ${n}. ${p.bold(safeLine(step.title))}`,
    ...indent(safeText(step.why).split('\n'), 5),
    ...step.commands.flatMap((c) => {
      const [first, ...rest] = safeText(c).split('\n');
      return [`       $ ${first ?? ''}`, ...rest.map((l) => `         ${l}`)];
    }),
  ];
}

export function indent(lines: string[], n: number): string[] {
  const pad = ' '.repeat(n);
  return lines.map((l) => (l ? pad + l : l));
}

/** `--json`: the report as data, with chart PNGs replaced by a note (they are for Slack, and large). */
export function reportJson(report: DiagnosisReport): string {
  const findings = report.findings.map((f) => ({
    ...f,
    details: f.details.map((d) =>
      d.kind === 'image'
        ? { ...d, pngBase64: `[omitted: ${Math.round((d.pngBase64.length * 3) / 4)} bytes of PNG, shown in Slack]` }
        : d,
    ),
  }));
  return `${JSON.stringify({ ...report, findings }, null, 2)}\n`;
}
