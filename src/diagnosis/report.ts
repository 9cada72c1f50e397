import type { Finding, Status } from '../domain/finding.js';
import type { ManualStep, RemediationPlan } from '../runbooks/types.js';

export interface RankedCause {
  id: string;
  title: string;
  confidence: number;
  explanation: string;
  supportedBy: string[];
}

/** The neutral result of one diagnosis; Slack, terminal and JSON are views of it. */
export interface DiagnosisReport {
  runId: string;
  service: string;
  env: string;
  runbookId: string;
  runbookTitle: string;
  runbookSource: string;
  startedAt: string;
  finishedAt: string;
  status: Status;
  findings: Finding[];
  causes: RankedCause[];
  proposals: RemediationPlan[];
  manualSteps: ManualStep[];
}
