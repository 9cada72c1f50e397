import type { Evidence, Status } from '../../../domain/finding.js';
import type { InsightsResult } from '../../../integrations/aws/logs-insights.js';
import { redactSecrets } from '../../../domain/redact-secrets.js';
import type { Check } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { awsFailure } from '../aws-finding.js';
import { startQueryCli } from '../cli.js';

/** Runbook step 2, verbatim but for the limit: the latest errors on /db. */
export function examplesQuery(limit: number): string {
  return `fields @timestamp, requestId, path, status, errorType | filter path = "/db" and (errorType = "connection_error" or ispresent(errorType)) | sort @timestamp desc | limit ${limit}`;
}

/** The same log lines counted, so the report says how many and where, not only the latest twenty. */
export function errorsByTypeQuery(limit: number): string {
  return `fields errorType, path | filter ispresent(errorType) | stats count(*) as errors by errorType, path | sort errors desc | limit ${limit}`;
}

const CONNECTION_ERROR = /connection/i;

export const appLogsCheck: Check<DbConnectionParams> = {
  id: 'app-logs',
  title: 'Application connection errors (Logs Insights)',
  timeoutMs: (p) => p.logsQueryMaxWaitMs + 10_000,
  skipUnless: (ctx) => (ctx.target.aws?.logs ? undefined : 'no aws.logs group in the catalog'),
  async run(ctx) {
    const aws = ctx.target.aws!;
    const group = aws.logs!.group;
    const p = ctx.params;
    const end = new Date();
    const start = new Date(end.getTime() - p.logsWindowMinutes * 60_000);
    const byType = errorsByTypeQuery(p.logsQueryLimit);
    const examples = examplesQuery(p.logsQueryLimit);
    const evidence: Evidence[] = [
      {
        call: `Logs Insights StartQuery + GetQueryResults on ${group}, last ${p.logsWindowMinutes} min: ${byType}`,
        cli: startQueryCli(aws, p.logsWindowMinutes, byType),
      },
      {
        call: `Logs Insights StartQuery + GetQueryResults on ${group}, last ${p.logsWindowMinutes} min: ${examples}`,
        cli: `${startQueryCli(aws, p.logsWindowMinutes, examples)}\naws logs get-query-results --region ${aws.region} --query-id <queryId from start-query>`,
      },
    ];
    try {
      const client = ctx.integrations.aws();
      const wait = { maxWaitMs: p.logsQueryMaxWaitMs, pollMs: p.logsPollIntervalMs, signal: ctx.signal };
      const [counts, lines] = await Promise.all([
        client.insightsQuery({ logGroup: group, queryString: byType, start, end }, wait),
        client.insightsQuery({ logGroup: group, queryString: examples, start, end }, wait),
      ]);
      const rows = counts.rows.map((r) => ({ errorType: r.errorType ?? '', path: r.path ?? '', errors: Number(r.errors ?? 0) }));
      const total = rows.reduce((n, r) => n + r.errors, 0);
      const connectionErrors = rows.filter((r) => CONNECTION_ERROR.test(r.errorType)).reduce((n, r) => n + r.errors, 0);
      const partial = [counts, lines].filter((q) => q.partial);

      let status: Status = 'ok';
      if (connectionErrors >= p.logsConnectionErrorsCrit) status = 'crit';
      else if (connectionErrors >= p.logsConnectionErrorsWarn) status = 'warn';
      else if (partial.length > 0) status = 'unknown';

      const partialText = partial.length > 0 ? ` (partial: ${partial.map(describePartial).join('; ')})` : '';
      const summary =
        total === 0
          ? `no errors logged in the last ${p.logsWindowMinutes} min${partialText}`
          : `${connectionErrors} connection error(s) of ${total} error(s) in the last ${p.logsWindowMinutes} min` +
            (rows[0] ? `; most: ${rows[0].errorType} on ${rows[0].path} (${rows[0].errors})` : '') +
            partialText;
      const shown = lines.rows.slice(0, p.logsExampleLines).map(formatLine);
      return {
        status,
        summary,
        details: [
          {
            kind: 'table',
            caption: `Errors by type and path, ${group}, last ${p.logsWindowMinutes} min`,
            columns: ['errorType', 'path', 'errors'],
            rows: rows.map((r) => [redactSecrets(r.errorType), redactSecrets(r.path), String(r.errors)]),
          },
          // Log text is the application's, not ours: a table is rendered as a code block (monospace, entities and
          // backticks escaped), so `*_~` or a backtick in a log line cannot restyle or break out of the message.
          ...(shown.length > 0
            ? [
                {
                  kind: 'table' as const,
                  caption: `Latest /db errors (${shown.length} of ${lines.rows.length})`,
                  columns: ['@timestamp', 'status', 'path', 'errorType', 'requestId'],
                  rows: shown,
                },
              ]
            : []),
        ],
        evidence,
        data: {
          totalErrors: total,
          connectionErrors,
          partial: partial.length > 0,
          stoppedQueries: partial.filter((q) => q.stopped).map((q) => q.queryId),
          recordsScanned: counts.recordsScanned,
        },
      };
    } catch (err) {
      return awsFailure(err, evidence);
    }
  },
};

function describePartial(q: InsightsResult): string {
  return `query ${q.queryId} still ${q.status} at the wait limit, ${q.stopped ? 'stopped' : 'StopQuery not accepted'}, ${q.rows.length} row(s) so far`;
}

/** One log line as the runbook's query returns it, field by field; log text may hold secrets, so it is redacted here. */
function formatLine(row: Record<string, string>): string[] {
  return [row['@timestamp'], row.status, row.path, row.errorType, row.requestId].map((v) => redactSecrets(v ?? '').slice(0, 200));
}
