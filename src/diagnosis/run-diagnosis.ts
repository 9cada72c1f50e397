import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Finding } from '../domain/finding.js';
import { overallStatus } from '../domain/finding.js';
import { errorMessage } from '../errors.js';
import { Integrations } from '../integrations/integrations.js';
import type { ResolvedTarget } from '../catalog/resolve-target.js';
import type { FindingsById, RemediationPlan, RunbookContext } from '../runbooks/types.js';
import { silentLogger } from '../log.js';
import type { DiagnosisReport, RankedCause } from './report.js';
import { runCheck } from './run-checks.js';

export interface DiagnosisProgress {
  done: number;
  total: number;
  finding: Finding;
}

export interface DiagnoseOptions {
  runId?: string;
  log?: Logger;
  signal?: AbortSignal;
  onProgress?: (p: DiagnosisProgress) => void | Promise<void>;
  /** Only these checks (verification re-runs a remediation's checks). */
  onlyChecks?: readonly string[];
  integrations?: Integrations;
}

export function buildContext(resolved: ResolvedTarget, integrations: Integrations, log: Logger, signal: AbortSignal): RunbookContext {
  return {
    service: resolved.service,
    env: resolved.env,
    serviceEntry: resolved.serviceEntry,
    target: resolved.target,
    params: resolved.params,
    integrations,
    log,
    signal,
  };
}

/** Run a runbook's checks concurrently (each with its own timeout), rank causes, plan remediations. */
export async function runDiagnosis(resolved: ResolvedTarget, opts: DiagnoseOptions = {}): Promise<DiagnosisReport> {
  const log = opts.log ?? silentLogger;
  const startedAt = new Date();
  const ownIntegrations = opts.integrations === undefined;
  const integrations = opts.integrations ?? new Integrations(resolved.target, `services.${resolved.service}.envs.${resolved.env}`);
  const signal = opts.signal ?? new AbortController().signal;
  const ctx = buildContext(resolved, integrations, log, signal);
  const { runbook } = resolved;
  const checks = opts.onlyChecks ? runbook.checks.filter((c) => opts.onlyChecks!.includes(c.id)) : runbook.checks;
  try {
    let done = 0;
    const findings = await Promise.all(
      checks.map(async (check) => {
        const finding = await runCheck(check, ctx);
        done += 1;
        try {
          await opts.onProgress?.({ done, total: checks.length, finding });
        } catch (err) {
          log.warn({ err: errorMessage(err) }, 'progress callback failed');
        }
        return finding;
      }),
    );
    const byId: FindingsById = new Map(findings.map((f) => [f.checkId, f]));
    const causes = opts.onlyChecks ? [] : rankCauses(resolved, byId);
    const proposals = opts.onlyChecks ? [] : await planRemediations(resolved, ctx, byId, log);
    const manualSteps = opts.onlyChecks ? [] : (runbook.manualSteps?.(ctx, byId) ?? []);
    return {
      runId: opts.runId ?? randomUUID(),
      service: resolved.service,
      env: resolved.env,
      runbookId: runbook.id,
      runbookTitle: runbook.title,
      runbookSource: runbook.source,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      status: overallStatus(findings),
      findings,
      causes,
      proposals,
      manualSteps,
    };
  } finally {
    if (ownIntegrations) await integrations.close();
  }
}

function rankCauses(resolved: ResolvedTarget, byId: FindingsById): RankedCause[] {
  const ranked: RankedCause[] = [];
  for (const cause of resolved.runbook.causes) {
    const a = cause.assess(byId, resolved.params);
    if (a && a.confidence > 0) ranked.push({ id: cause.id, title: cause.title, ...a });
  }
  return ranked.sort((x, y) => y.confidence - x.confidence);
}

async function planRemediations(
  resolved: ResolvedTarget,
  ctx: RunbookContext,
  byId: FindingsById,
  log: Logger,
): Promise<RemediationPlan[]> {
  const plans: RemediationPlan[] = [];
  for (const r of resolved.runbook.remediations) {
    try {
      if (!r.applies(byId, resolved.params, ctx)) continue;
      plans.push(await r.plan(ctx, byId));
    } catch (err) {
      log.warn({ remediation: r.id, err: errorMessage(err) }, 'could not plan remediation');
    }
  }
  return plans;
}
