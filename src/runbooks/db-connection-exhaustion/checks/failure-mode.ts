import type { Evidence } from '../../../domain/finding.js';
import { redactSecrets } from '../../../domain/redact-secrets.js';
import type { Check } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { awsFailure, isAwsError } from '../aws-finding.js';
import { getParameterCli } from '../cli.js';

/** Runbook step 6 and Cause 1: the app's failure-injection switch, `connection_leak` when leaking on purpose. */
export const LEAK_MODE = 'connection_leak';
/** The runbook's "Reset failure mode to normal". */
export const NORMAL_MODE = 'none';

export const failureModeCheck: Check<DbConnectionParams> = {
  id: 'failure-mode',
  title: 'Failure-mode parameter (SSM)',
  skipUnless: (ctx) => (ctx.target.aws?.ssm ? undefined : 'no aws.ssm.failureModeParameter in the catalog'),
  async run(ctx) {
    const aws = ctx.target.aws!;
    const name = aws.ssm!.failureModeParameter;
    const evidence: Evidence[] = [{ call: `SSM GetParameter Name=${name} (${aws.region})`, cli: getParameterCli(aws) }];
    try {
      const param = await ctx.integrations.aws().getParameter(name, ctx.signal);
      const value = redactSecrets(param.value);
      const since = param.lastModified ? `, set ${new Date(param.lastModified).toISOString()} (version ${param.version ?? '?'})` : '';
      const data = { value: param.value, version: param.version, lastModified: param.lastModified };
      if (param.type === 'SecureString') {
        return { status: 'unknown', summary: `${name} is a SecureString; connbot does not decrypt it`, evidence, data: {} };
      }
      if (param.value === LEAK_MODE) {
        return { status: 'crit', summary: `${name} = ${LEAK_MODE}: the connection-leak failure mode is ON${since}`, evidence, data };
      }
      if (param.value === NORMAL_MODE || param.value === '') {
        return { status: 'ok', summary: `${name} = ${value || '(empty)'}: no failure mode${since}`, evidence, data };
      }
      return {
        status: 'warn',
        summary: `${name} = ${value}: another failure mode is on (not the connection leak)${since}`,
        evidence,
        data,
      };
    } catch (err) {
      if (isAwsError(err, 'not-found')) {
        return { status: 'unknown', summary: `${name} does not exist (check ssm.failureModeParameter in the catalog)`, evidence };
      }
      return awsFailure(err, evidence);
    }
  },
};
