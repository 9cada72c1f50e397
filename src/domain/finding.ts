export type Status = 'ok' | 'warn' | 'crit' | 'unknown' | 'error';

/** The exact call made, so a person can re-run it by hand. */
export interface Evidence {
  /** What was asked, in the system's own terms: `CLIENT LIST`, `GET /apis/apps/v1/...`, a PromQL query. */
  call: string;
  /** The equivalent command from the runbook, with this service's values filled in. */
  cli?: string;
}

/** Neutral content that each renderer (Slack, terminal, JSON) shows its own way. */
export type DetailBlock =
  | { kind: 'text'; text: string }
  | { kind: 'table'; columns: string[]; rows: string[][]; caption?: string }
  | { kind: 'series'; label: string; points: Array<[number, number]>; limit?: number }
  /** A chart (PNG, base64): Slack uploads it into the thread, the terminal shows the matching series instead. */
  | { kind: 'image'; title: string; pngBase64: string; altText: string };

export interface Finding {
  checkId: string;
  title: string;
  status: Status;
  summary: string;
  details: DetailBlock[];
  evidence: Evidence[];
  /** Numbers the causes and remediations reason over (never shown raw). */
  data: Record<string, unknown>;
  /** Set when the check could not apply to this target (no k8s config, …): excluded from the overall status. */
  skipped?: string;
  durationMs: number;
}

/** What a check returns; the runner adds id, title and timing. */
export type CheckResult = Omit<Finding, 'checkId' | 'title' | 'durationMs' | 'details' | 'evidence' | 'data'> & {
  details?: DetailBlock[];
  evidence?: Evidence[];
  data?: Record<string, unknown>;
};

const SEVERITY: Record<Status, number> = { ok: 0, unknown: 1, error: 1, warn: 2, crit: 3 };

/** crit beats warn beats unknown/error beats ok; skipped findings do not count. */
export function overallStatus(findings: readonly Finding[]): Status {
  let worst: Status = 'ok';
  for (const f of findings) {
    if (f.skipped) continue;
    if (SEVERITY[f.status] > SEVERITY[worst]) worst = f.status === 'error' ? 'unknown' : f.status;
  }
  return worst;
}

export function statusExitCode(status: Status): number {
  switch (status) {
    case 'ok':
      return 0;
    case 'warn':
      return 1;
    case 'crit':
      return 2;
    default:
      return 3;
  }
}
