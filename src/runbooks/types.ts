import type { z } from 'zod';
import type { Logger } from 'pino';
import type { CheckResult, DetailBlock, Evidence, Finding } from '../domain/finding.js';
import type { EnvTarget, ServiceEntry } from '../catalog/schema.js';
import type { Integrations } from '../integrations/integrations.js';

/** The target kinds an env may declare in the catalog. */
export type TargetKind = 'redis' | 'k8s' | 'http' | 'prometheus' | 'aws';

export interface RunbookContext<P = Record<string, unknown>> {
  service: string;
  env: string;
  serviceEntry: ServiceEntry;
  target: EnvTarget;
  params: P;
  integrations: Integrations;
  log: Logger;
  /** Aborted when the check's own timeout passes or the job is cancelled. */
  signal: AbortSignal;
  /**
   * The calls this check has made so far. The runner gives each check its own array and shows it when the check
   * times out or throws, so the command to re-run by hand is there exactly when the check could not finish: push
   * an Evidence before the call it describes. (PromQL sent through `integrations.prometheus()` is recorded here
   * by the runner itself.) Absent outside runCheck.
   */
  evidence?: Evidence[];
  /**
   * Set only when the checks re-run to verify a remediation (applyRemediation's "after" measurement): the plan
   * that ran and what its execute() returned, so a check can judge only what came after the change (e.g. keep
   * the datapoints from after `execution.data` says the change finished). After a partial run `execution` is
   * the "partly done" result, without `data`. Absent in a diagnosis and in the "before" measurement.
   */
  afterRemediation?: AfterRemediation;
}

/** What a verifying check is told about the change it measures (see RunbookContext.afterRemediation). */
export interface AfterRemediation {
  plan: RemediationPlan;
  execution: ExecutionResult;
}

/** What a remediation's execute() receives. */
export interface RemediationContext<P = Record<string, unknown>> extends RunbookContext<P> {
  /**
   * Call right after each change lands (`set /golden/failure_mode to none`). If execute then throws, the outcome
   * is "partly done: done …; failed …" (verified, audited as partial, cool-down kept) instead of "failed, nothing
   * executed"; a throw before the first call means nothing changed (the cool-down is released). Optional so
   * execute() can be called with a plain RunbookContext.
   */
  changed?(description: string): void;
}

export interface Check<P = Record<string, unknown>> {
  id: string;
  title: string;
  /** Default 10 s; a check that needs several samples says how long it may take. */
  timeoutMs?: number | ((params: P) => number);
  /** A reason to skip on this target (no k8s config, …), or undefined to run. */
  skipUnless?: (ctx: RunbookContext<P>) => string | undefined;
  /**
   * The calls the check will make, known before it makes them (query text, API call, the runbook's CLI). Shown
   * when the check times out or throws; when it returns, its own `evidence` wins.
   */
  evidence?: (ctx: RunbookContext<P>) => Evidence[];
  run(ctx: RunbookContext<P>): Promise<CheckResult>;
}

export type FindingsById = ReadonlyMap<string, Finding>;

export interface CauseAssessment {
  /** 0..1: how well the findings support this cause. */
  confidence: number;
  /** Why, in one or two sentences, with the numbers. */
  explanation: string;
  /** The check ids whose findings support it. */
  supportedBy: string[];
}

export interface Cause<P = Record<string, unknown>> {
  id: string;
  title: string;
  assess(findings: FindingsById, params: P): CauseAssessment | undefined;
}

export type Risk = 'low' | 'medium' | 'high';

/** Shown to the approver verbatim; stored with the pending remediation and executed as written. */
export interface RemediationPlan {
  remediationId: string;
  title: string;
  risk: Risk;
  /** One line: what will change. */
  summary: string;
  /** Each exact step, with its API call and the equivalent CLI command. */
  steps: string[];
  /** Parameters execute() reads; JSON-serialisable. */
  params: Record<string, unknown>;
  /** The checks to re-run afterwards to verify the fix. */
  verifyChecks: string[];
  /** Caveats: not persisted, how to make it permanent, … */
  notes?: string[];
  /** Target of the action, for cool-downs and the audit trail (e.g. `redis://host:6379`). */
  targetKey: string;
}

export interface ExecutionResult {
  summary: string;
  details?: DetailBlock[];
  /**
   * What the remediation wants its own verify() and the re-run checks to know about how the change went (a
   * rollout's end and when the change finished, a version number, …): JSON-serialisable, never shown raw, and
   * owned by the remediation that returns it (read it with a type guard). Absent after a partial run.
   */
  data?: Record<string, unknown>;
}

export interface VerificationOutcome {
  ok: boolean;
  summary: string;
}

export interface Remediation<P = Record<string, unknown>> {
  id: string;
  title: string;
  risk: Risk;
  applies(findings: FindingsById, params: P, ctx: RunbookContext<P>): boolean;
  plan(ctx: RunbookContext<P>, findings: FindingsById): Promise<RemediationPlan> | RemediationPlan;
  /** Report each change with `ctx.changed(...)` as it lands (see RemediationContext). */
  execute(ctx: RemediationContext<P>, plan: RemediationPlan): Promise<ExecutionResult>;
  /**
   * Judge the re-run checks; by default: better when no verify check got worse and one improved or is ok.
   * `execution` is what execute() returned (after a partial run, the "partly done" result, without `data`);
   * verify functions that do not need it may leave it out.
   */
  verify?(plan: RemediationPlan, before: FindingsById, after: FindingsById, execution?: ExecutionResult): VerificationOutcome;
  /** How long to wait before re-running the checks (let a rollout settle, let metrics arrive). */
  settleMs?: number | ((params: P) => number);
  /**
   * The longest execute() may take (its own waits plus a margin); default 30 minutes. At the limit its signal is
   * aborted and, shortly after, the run ends as failed (or partly done): a hung call must not hold the target.
   */
  maxRunMs?: number | ((params: P) => number);
}

/** What maxRunMs adds to a remediation's own waits: the calls around them. */
export const RUN_MARGIN_MS = 5 * 60_000;

export interface ManualStep {
  title: string;
  why: string;
  commands: string[];
}

export interface Runbook<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  title: string;
  /** The runbook file it automates, for the report footer. */
  source: string;
  /** Catalog targets the env must declare for this runbook: a whole block (`aws`) or a part of one (`aws.ecs`). */
  requires: Array<TargetKind | `${TargetKind}.${string}`>;
  /** Every threshold, named, with the runbook's default; catalog `params` override. */
  params: z.ZodType<P>;
  checks: Check<P>[];
  causes: Cause<P>[];
  remediations: Remediation<P>[];
  manualSteps?(ctx: RunbookContext<P>, findings: FindingsById): ManualStep[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRunbook = Runbook<any>;
