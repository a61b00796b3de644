// The sidecar in cluster mode with an aws CredentialSource from the API server (so the CRD's schema and
// CEL rules accept it): identity from TokenReview of a real pod-bound token, and STS web identity with
// a projected token of audience sts.amazonaws.com, against moto. The STS session names the real pod.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { AuditRecord } from '@portcullis/sidecar';
import { startMoto, type Moto, type MotoRole } from '../support/aws-peers.js';
import { createNamespace, kubeConfig } from '../support/cluster.js';
import { mountSidecarTokens, startClusterSidecar, stopAndRemove, until, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount, requestPodBoundToken } from '../support/workloads.js';
import { PLACEHOLDER } from './s3-setup.js';
import { testPort } from '../support/test-ports.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };

describe('aws source in cluster mode: TokenReview identity, STS web identity with a projected token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-aws-cluster-'));
  const audit: AuditRecord[] = [];
  const port = testPort();
  let ns: string;
  let moto: Moto;
  let role: MotoRole;
  let sidecar: ClusterSidecar;

  beforeAll(async () => {
    moto = await startMoto();
    role = await moto.createRole({ policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:*', 'sts:GetCallerIdentity'], Resource: '*' }] } });
    await new DynamoDBClient(moto.clientConfig()).send(new CreateTableCommand({ TableName: 'cluster-orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    ns = await createNamespace('aws');
    await createServiceAccount(ns, 'reports');
    await grantSidecarAccess(ns, 'reports');
    const pod = await createPod(ns, 'reports-0', { serviceAccount: 'reports' });
    await mountSidecarTokens(dir, pod, 3600);
    mkdirSync(join(dir, 'sts'));
    writeFileSync(join(dir, 'sts/token'), await requestPodBoundToken(pod, ['sts.amazonaws.com'], 3600));

    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'credentialsources',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'aws' },
        spec: { type: 'aws', port, aws: { endpoint: moto.endpoint, allowPlaintextEndpoint: true, webIdentity: { roleArn: role.roleArn } } } },
    });
    await custom.createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'egresspolicies',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'reports' },
        spec: { workloads: { serviceAccounts: ['reports'] }, rules: [{ name: 'read', effect: 'Allow', source: 'aws', actions: ['dynamodb:List*', 'dynamodb:Describe*', 'sts:GetCallerIdentity'] }] } },
    });

    sidecar = await startClusterSidecar({
      ns, dir, port,
      args: ['--sts-token-file', join(dir, 'sts/token')],
      audit: { write: (line) => audit.push(JSON.parse(line) as AuditRecord) },
      readyTimeoutMs: 10_000,
    });
  }, 60_000);

  afterAll(async () => {
    try {
      await stopAndRemove(sidecar, undefined, dir);
    } finally {
      await moto?.stop();
    }
  });

  const cfg = (): { endpoint: string; region: string; credentials: typeof PLACEHOLDER; maxAttempts: number } => ({ endpoint: `http://127.0.0.1:${port}`, region: moto.region, credentials: PLACEHOLDER, maxAttempts: 1 });

  it('calls moto as the role, in a session named after the namespace, service account and pod', async () => {
    const me = await new STSClient(cfg()).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${moto.accountId}:assumed-role/${role.roleName}/${ns}.reports.reports-0`);
    expect((await new DynamoDBClient(cfg()).send(new ListTablesCommand({}))).TableNames).toContain('cluster-orders');
  });

  it('audits the verified pod and the STS session', async () => {
    // Audit lines arrive on the process's stdout, a moment after the answer.
    const line = (await until(() => audit.find((a) => a.aws?.action === 'dynamodb:ListTables'), (a) => a !== undefined, 2000)).value;
    expect(line).toMatchObject({ workload: { namespace: ns, serviceAccount: 'reports', pod: 'reports-0' }, status: 200, aws: { roleArn: role.roleArn, sessionName: `${ns}.reports.reports-0` } });
  });
});
