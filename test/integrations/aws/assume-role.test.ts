import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget } from '../../../src/catalog/resolve-target.js';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { forgetAwsClients } from '../../../src/integrations/aws/aws-clients.js';
import { catalogDoc } from '../../runbooks/db-connection-exhaustion/scenarios.js';

/**
 * The role path at the wire: a local server answers STS AssumeRole (query protocol, XML), SSM GetParameter and
 * ECS DescribeServices (JSON), reached only through AWS_ENDPOINT_URL — so this also proves no endpoint is
 * hard-coded. It checks who signed each request: the base key for AssumeRole, the assumed key for the rest.
 */
const BASE_KEY = 'AKIAIOSFODNN7EXAMPLE';
const ASSUMED_KEY = 'ASIAIOSFODNN7EXAMPL2';
const SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDExampleSessionTokenForConnbotTests';
const ROLE = 'arn:aws:iam::123456789012:role/connbot-diagnostics';

interface Seen {
  kind: string;
  accessKey: string | undefined;
  securityToken: string | undefined;
  body: string;
}

let server: Server;
let seen: Seen[] = [];
let denyAssumeRole = false;
const savedEnv = { ...process.env };

function accessKeyOf(headers: IncomingHttpHeaders): string | undefined {
  return /Credential=([A-Z0-9]+)\//.exec(String(headers.authorization ?? ''))?.[1];
}

const assumeRoleXml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/connbot-diagnostics/connbot</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:connbot</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${ASSUMED_KEY}</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>${SESSION_TOKEN}</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;

const deniedXml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/connbot is not authorized to perform: sts:AssumeRole on resource: ${ROLE}</Message>
  </Error>
  <RequestId>0d4e5f6a-1b2c-4d3e-9f8a-7b6c5d4e3f2a</RequestId>
</ErrorResponse>`;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const record = (kind: string) =>
        seen.push({ kind, accessKey: accessKeyOf(req.headers), securityToken: req.headers['x-amz-security-token'] as string | undefined, body });
      if (body.includes('Action=AssumeRole')) {
        record('sts:AssumeRole');
        res.writeHead(denyAssumeRole ? 403 : 200, { 'content-type': 'text/xml' });
        res.end(denyAssumeRole ? deniedXml : assumeRoleXml);
      } else if (target === 'AmazonSSM.GetParameter') {
        record('ssm:GetParameter');
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({
          Parameter: { Name: '/golden/failure_mode', Type: 'String', Value: 'connection_leak', Version: 7, LastModifiedDate: 1732467600, ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/golden/failure_mode', DataType: 'text' },
        }));
      } else if (target === 'AmazonEC2ContainerServiceV20141113.DescribeServices') {
        record('ecs:DescribeServices');
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({
          services: [{
            serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/golden-path-cluster-prod/golden-path-service-prod',
            serviceName: 'golden-path-service-prod', status: 'ACTIVE', desiredCount: 4, runningCount: 4, pendingCount: 0,
            deployments: [{ id: 'ecs-svc/4837261950384756102', status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: 4, runningCount: 4, pendingCount: 0, failedTasks: 0, createdAt: 1732200000, taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/golden-path-app-prod:42' }],
            events: [],
          }],
          failures: [],
        }));
      } else {
        record(`unexpected ${target || req.url}`);
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: 'not faked' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  denyAssumeRole = false;
  forgetAwsClients();
  const { port } = server.address() as AddressInfo;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: BASE_KEY,
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/connbot-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/connbot-test-credentials',
  });
});

afterEach(() => {
  forgetAwsClients();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

describe('AWS credentials: the catalog role assumed through STS', () => {
  it('assumes the role once with the default chain, then signs every service call as the role', async () => {
    const resolved = resolveTarget(validateCatalog(catalogDoc()), 'golden-path', 'prod');
    const report = await runDiagnosis(resolved, { onlyChecks: ['failure-mode', 'ecs-service'] });
    expect(report.findings.find((f) => f.checkId === 'failure-mode')!.status).toBe('crit');
    expect(report.findings.find((f) => f.checkId === 'ecs-service')!.status).toBe('ok');

    const assume = seen.filter((s) => s.kind === 'sts:AssumeRole');
    expect(assume).toHaveLength(1);
    expect(assume[0]!.accessKey).toBe(BASE_KEY);
    const form = new URLSearchParams(assume[0]!.body);
    expect(form.get('RoleArn')).toBe(ROLE);
    expect(form.get('RoleSessionName')).toBe('connbot');

    const calls = seen.filter((s) => s.kind !== 'sts:AssumeRole');
    expect(calls.map((c) => c.kind).sort()).toEqual(['ecs:DescribeServices', 'ssm:GetParameter']);
    for (const c of calls) {
      expect(c.accessKey).toBe(ASSUMED_KEY);
      expect(c.securityToken).toBe(SESSION_TOKEN);
    }

    // A second diagnosis reuses the clients and the role session.
    await runDiagnosis(resolved, { onlyChecks: ['failure-mode'] });
    expect(seen.filter((s) => s.kind === 'sts:AssumeRole')).toHaveLength(1);
    expect(seen.filter((s) => s.kind === 'ssm:GetParameter')).toHaveLength(2);
  });

  it('uses the default chain directly when the env names no role', async () => {
    const resolved = resolveTarget(validateCatalog(catalogDoc({ roleArn: null })), 'golden-path', 'prod');
    await runDiagnosis(resolved, { onlyChecks: ['failure-mode'] });
    expect(seen.map((s) => [s.kind, s.accessKey])).toEqual([['ssm:GetParameter', BASE_KEY]]);
  });

  it('turns a refused AssumeRole into a finding naming sts:AssumeRole on the role', async () => {
    denyAssumeRole = true;
    const resolved = resolveTarget(validateCatalog(catalogDoc()), 'golden-path', 'prod');
    const report = await runDiagnosis(resolved, { onlyChecks: ['failure-mode'] });
    const f = report.findings[0]!;
    expect(f.status).toBe('error');
    expect(f.summary).toBe(`permission denied (AccessDenied): needs sts:AssumeRole on ${ROLE}`);
    expect(JSON.stringify(f)).not.toContain('wJalrXUtnFEMI');
    expect(seen.some((s) => s.kind === 'ssm:GetParameter')).toBe(false);
  });
});
