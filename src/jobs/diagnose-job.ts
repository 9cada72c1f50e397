import { createHash } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Runtime } from '../app/runtime.js';
import { resolveTarget } from '../catalog/resolve-target.js';
import { runDiagnosis } from '../diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../diagnosis/report.js';
import type { Finding } from '../domain/finding.js';
import { approvalPolicy, approvalsRequired, describeApprovers } from '../approvals/approval-policy.js';
import { progressMessage, remediationMessage, reportMessages, rootMessage } from '../render/slack/report-blocks.js';
import { escalationMessage } from '../render/slack/alert-blocks.js';
import { jobId, type DiagnoseJob, type PendingRemediation } from './queue-names.js';
import { ProgressUpdater } from './progress-updater.js';

export interface DiagnoseResult {
  status: string;
  channel: string;
  threadTs: string;
  pendingIds: string[];
}

/** The channel a report goes to: the env's, else where it was typed, else the catalog default. */
export function reportChannel(rt: Runtime, data: DiagnoseJob): string | undefined {
  return (
    rt.catalog.services[data.service]?.envs[data.env]?.channel ??
    (data.trigger.kind === 'slash' ? data.trigger.channelId : undefined) ??
    rt.catalog.defaults?.channel
  );
}

/**
 * One diagnosis, start to end: root message (unless an alert thread exists), live progress, the report, then one
 * message per proposed remediation with its buttons. Every Slack write carries a key derived from the run, so a
 * retried job reuses what was already posted instead of posting twice.
 */
export async function processDiagnoseJob(rt: Runtime, job: Job<DiagnoseJob>): Promise<DiagnoseResult> {
  const data = job.data;
  const resolved = resolveTarget(rt.catalog, data.service, data.env, data.runbookId);
  const key = (step: string) => jobId('run', data.runId, step);
  const requestedBy = data.trigger.kind === 'slash' ? data.trigger.userId : undefined;

  const root = (status?: DiagnosisReport['status']) =>
    rootMessage({
      service: data.service,
      env: data.env,
      runbookTitle: resolved.runbook.title,
      ...(requestedBy ? { requestedBy } : {}),
      trigger: data.trigger.kind === 'slash' ? 'slash' : 'alert',
      ...(status ? { status } : {}),
    });

  let thread = data.thread;
  if (!thread) {
    const channel = reportChannel(rt, data);
    if (!channel) throw new Error(`no Slack channel for ${data.service}/${data.env}: set one in the catalog`);
    const posted = await rt.outbox.send({ method: 'chat.postMessage', args: { channel, ...root() } }, key('root'));
    thread = { channel: posted.channel ?? channel, ts: posted.ts! };
  }
  const { channel, ts: threadTs } = thread;

  const total = resolved.runbook.checks.length;
  const progress = await rt.outbox.send(
    {
      method: 'chat.postMessage',
      args: { channel, thread_ts: threadTs, ...progressMessage({ runbookTitle: resolved.runbook.title, done: 0, total, findings: [] }) },
    },
    key('progress'),
  );
  const done: Finding[] = [];
  const updater = new ProgressUpdater<Finding[]>(async (findings) => {
    await rt.outbox.send({
      method: 'chat.update',
      args: { channel, ts: progress.ts!, ...progressMessage({ runbookTitle: resolved.runbook.title, done: findings.length, total, findings }) },
    });
  });

  const started = performance.now();
  const report = await runDiagnosis(resolved, {
    runId: data.runId,
    log: rt.log.child({ runId: data.runId, service: data.service, env: data.env }),
    onProgress: ({ finding }) => {
      done.push(finding);
      updater.push([...done]);
    },
  });
  await updater.flush();
  rt.metrics.diagnoses.inc({ runbook: report.runbookId, status: report.status });
  rt.metrics.diagnosisSeconds.observe({ runbook: report.runbookId }, (performance.now() - started) / 1000);

  await postReport(rt, report, channel, threadTs, progress.ts!, key);
  if (!data.thread) {
    await rt.outbox.send({ method: 'chat.update', args: { channel, ts: threadTs, ...root(report.status) } }, key('root-status'));
  }

  if (data.escalation) await postEscalation(rt, report, data.escalation, channel, threadTs, key);
  const pendingIds = await proposeRemediations(rt, report, channel, threadTs, requestedBy, key);
  await rt.audit.append({
    event: 'diagnosis.finished',
    runId: data.runId,
    service: data.service,
    env: data.env,
    runbook: report.runbookId,
    status: report.status,
    requestedBy,
    proposals: report.proposals.map((p) => p.remediationId).join(','),
  });
  return { status: report.status, channel, threadTs, pendingIds };
}

async function postReport(
  rt: Runtime,
  report: DiagnosisReport,
  channel: string,
  threadTs: string,
  progressTs: string,
  key: (step: string) => string,
): Promise<void> {
  const messages = reportMessages(report);
  for (const [i, msg] of messages.entries()) {
    if (i === 0) await rt.outbox.send({ method: 'chat.update', args: { channel, ts: progressTs, ...msg } }, key('report-0'));
    else await rt.outbox.send({ method: 'chat.postMessage', args: { channel, thread_ts: threadTs, ...msg } }, key(`report-${i}`));
  }
  let n = 0;
  for (const finding of report.findings) {
    for (const d of finding.details) {
      if (d.kind !== 'image') continue;
      await rt.outbox.send(
        {
          method: 'files.uploadV2',
          args: {
            channel_id: channel,
            thread_ts: threadTs,
            filename: `${finding.checkId}.png`,
            title: d.title,
            alt_text: d.altText,
            contentBase64: d.pngBase64,
          },
        },
        key(`image-${n++}`),
      );
    }
  }
}

/** After an escalation re-check: still bad means the tier's people are called into the thread, visibly. */
async function postEscalation(
  rt: Runtime,
  report: DiagnosisReport,
  escalation: NonNullable<DiagnoseJob['escalation']>,
  channel: string,
  threadTs: string,
  key: (step: string) => string,
): Promise<void> {
  const msg = escalationMessage({ status: report.status, afterMs: escalation.afterMs, notify: escalation.notify, tier: escalation.tier });
  await rt.outbox.send(
    { method: 'chat.postMessage', args: { channel, thread_ts: threadTs, reply_broadcast: report.status !== 'ok', ...msg } },
    key('escalation'),
  );
  await rt.audit.append({ event: 'diagnosis.finished', runId: report.runId, escalationTier: escalation.tier, status: report.status, notified: report.status === 'ok' ? '' : escalation.notify.join(',') });
}

/** Stable per run and remediation: a retried job finds the same pending id instead of making a second one. */
export function pendingIdFor(runId: string, remediationId: string): string {
  return createHash('sha256').update(`${runId}\0${remediationId}`).digest('base64url').slice(0, 22);
}

async function proposeRemediations(
  rt: Runtime,
  report: DiagnosisReport,
  channel: string,
  threadTs: string,
  requestedBy: string | undefined,
  key: (step: string) => string,
): Promise<string[]> {
  const policy = approvalPolicy(rt.catalog, report.service, report.env);
  const ids: string[] = [];
  for (const plan of report.proposals) {
    const id = pendingIdFor(report.runId, plan.remediationId);
    const existing = await rt.pending.get(id);
    const now = Date.now();
    const record: PendingRemediation = existing ?? {
      id,
      runId: report.runId,
      service: report.service,
      env: report.env,
      runbookId: report.runbookId,
      plan,
      ...(requestedBy ? { requestedBy } : {}),
      channel,
      threadTs,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + policy.expiresAfterMs).toISOString(),
      required: approvalsRequired(policy, plan.risk),
    };
    if (!existing) await rt.pending.create(record);
    const msg = remediationMessage({
      plan: record.plan,
      pendingId: id,
      expiresAt: record.expiresAt,
      approversText: describeApprovers(policy.approvers),
      dryRun: rt.env.DRY_RUN,
    });
    const posted = await rt.outbox.send(
      { method: 'chat.postMessage', args: { channel, thread_ts: threadTs, ...msg } },
      key(`proposal-${plan.remediationId}`),
    );
    if (posted.ts) await rt.pending.setMessageTs(id, posted.ts);
    if (!existing) {
      await rt.remediateQueue.add(
        'expire',
        { pendingId: id, expire: true },
        { jobId: jobId('expire', id), delay: Math.max(0, Date.parse(record.expiresAt) - Date.now()) },
      );
      await rt.audit.append({
        event: 'remediation.proposed',
        pendingId: id,
        runId: report.runId,
        service: report.service,
        env: report.env,
        remediation: plan.remediationId,
        risk: plan.risk,
        summary: plan.summary,
        requestedBy,
      });
    }
    ids.push(id);
  }
  return ids;
}
