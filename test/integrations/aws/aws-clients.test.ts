import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { awsClient, forgetAwsClients } from '../../../src/integrations/aws/aws-clients.js';

const ROLE = 'arn:aws:iam::123456789012:role/connbot-diagnostics';

describe('AWS clients: one per (service, region, role)', () => {
  afterEach(() => forgetAwsClients());

  it('reuses the client for the same service, region and role', async () => {
    const a = awsClient('cloudwatch', { region: 'us-east-1', roleArn: ROLE });
    expect(a).toBeInstanceOf(CloudWatchClient);
    expect(awsClient('cloudwatch', { region: 'us-east-1', roleArn: ROLE })).toBe(a);
    expect(await a.config.region()).toBe('us-east-1');
  });

  it('builds another for another service, region or role', () => {
    const base = awsClient('ssm', { region: 'us-east-1' });
    expect(base).toBeInstanceOf(SSMClient);
    const others = [
      awsClient('ssm', { region: 'eu-west-1' }),
      awsClient('ssm', { region: 'us-east-1', roleArn: ROLE }),
      awsClient('ecs', { region: 'us-east-1' }),
    ];
    for (const o of others) expect(o).not.toBe(base);
  });

  it('builds fresh clients after forgetAwsClients', () => {
    const before = awsClient('rds', { region: 'us-east-1' });
    forgetAwsClients();
    expect(awsClient('rds', { region: 'us-east-1' })).not.toBe(before);
  });
});
