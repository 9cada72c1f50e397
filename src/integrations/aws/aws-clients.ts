import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { SSMClient } from '@aws-sdk/client-ssm';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

export interface AwsClients {
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  ecs: ECSClient;
  rds: RDSClient;
  ssm: SSMClient;
}

export type AwsServiceKind = keyof AwsClients;

type CredentialProvider = ReturnType<typeof fromTemporaryCredentials>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

/** Who connbot acts as: the SDK's default chain, or a role assumed from it. */
export interface AwsIdentity {
  region: string;
  roleArn?: string | undefined;
}

// Clients are expensive (each owns a connection pool and, with a role, an STS session), and every diagnosis of
// the same env asks for the same ones: one per (service kind, region, role), for the life of the process.
const clients = new Map<string, AwsClients[AwsServiceKind]>();
const roleSessions = new Map<string, CredentialProvider>();

/**
 * Endpoints are never set here: the SDK reads AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> itself, which is what
 * VPC endpoints, LocalStack and test doubles rely on.
 */
export function awsClient<K extends AwsServiceKind>(kind: K, identity: AwsIdentity): AwsClients[K] {
  const key = `${kind}|${identity.region}|${identity.roleArn ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    const config = {
      region: identity.region,
      ...(identity.roleArn ? { credentials: assumedRole(identity.region, identity.roleArn) } : {}),
      // The SDK's default is to wait forever for an answer: a black-holed endpoint would hang a check until its
      // own timeout, and a remediation (holding its target's lock) for good.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
    };
    client = build(kind, config);
    clients.set(key, client);
  }
  return client as AwsClients[K];
}

function build(kind: AwsServiceKind, config: { region: string; credentials?: CredentialProvider; requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean } }): AwsClients[AwsServiceKind] {
  switch (kind) {
    case 'cloudwatch':
      return new CloudWatchClient(config);
    case 'logs':
      return new CloudWatchLogsClient(config);
    case 'ecs':
      return new ECSClient(config);
    case 'rds':
      return new RDSClient(config);
    case 'ssm':
      return new SSMClient(config);
  }
}

// The SDK refreshes a client's credentials this long before they expire; hand out fresher ones than that.
const REFRESH_BEFORE_EXPIRY_MS = 6 * 60_000;

/**
 * One STS session per (region, role), shared by the five service clients, so a diagnosis costs one AssumeRole
 * rather than one per client. The base credentials come from the SDK's default chain.
 */
function assumedRole(region: string, roleArn: string): CredentialProvider {
  const key = `${region}|${roleArn}`;
  const existing = roleSessions.get(key);
  if (existing) return existing;
  const assume = fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: 'connbot' },
    clientConfig: { region },
  });
  let current: Promise<Credentials> | undefined;
  const provider: CredentialProvider = async () => {
    const seen = current;
    if (seen) {
      const creds = await seen.catch(() => undefined);
      if (creds && (!creds.expiration || creds.expiration.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS)) return creds;
      if (current !== seen && current !== undefined) return current;
    }
    // Not the caller's client config: the session is shared, so it must not depend on which client came first.
    // Set synchronously, so clients asking at the same moment share this one AssumeRole.
    const attempt = assume();
    current = attempt;
    // A failed AssumeRole is not remembered: the next call tries again.
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
    return attempt;
  };
  roleSessions.set(key, provider);
  return provider;
}

/** Drop every cached client (tests that change AWS_* settings; process shutdown). */
export function forgetAwsClients(): void {
  for (const client of clients.values()) client.destroy();
  clients.clear();
  roleSessions.clear();
}
