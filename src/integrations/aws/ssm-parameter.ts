import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall, type AwsCallRef } from './aws-errors.js';

export interface SsmParameter {
  name: string;
  value: string;
  type: string;
  version: number | undefined;
  lastModified: number | undefined;
}

export async function getParameter(
  client: SSMClient,
  roleArn: string | undefined,
  name: string,
  iam: AwsCallRef,
  signal?: AbortSignal,
): Promise<SsmParameter> {
  const res = await awsCall(iam, roleArn, () => client.send(new GetParameterCommand({ Name: name }), { abortSignal: signal }));
  const p = res.Parameter;
  return {
    name: p?.Name ?? name,
    value: p?.Value ?? '',
    type: p?.Type ?? 'String',
    version: p?.Version,
    lastModified: p?.LastModifiedDate ? new Date(p.LastModifiedDate).getTime() : undefined,
  };
}

/** `aws ssm put-parameter --type String --overwrite`: the new version number. */
export async function putStringParameter(
  client: SSMClient,
  roleArn: string | undefined,
  name: string,
  value: string,
  iam: AwsCallRef,
): Promise<number | undefined> {
  const res = await awsCall(iam, roleArn, () =>
    client.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true })),
  );
  return res.Version;
}
