// An aws source whose access keys are held in a KV v2 secret of a real OpenBao (the common pattern where
// Vault's AWS secrets engine is not used; OpenBao has no AWS engine built in): the sidecar logs in with
// Kubernetes auth, reads the keys and re-signs the app's calls, which moto accepts with signature
// checking on. A rotation to another IAM user's keys is picked up within the poll interval.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { ClusterSidecar } from '../support/cluster-sidecar.js';
import { PLACEHOLDER } from '../aws/s3-setup.js';
import { testPort } from '../support/test-ports.js';
import { startMoto, type Moto, type MotoUser } from '../support/aws-peers.js';
import { createNamespace, kubeConfig } from '../support/cluster.js';
import { configureKubernetesAuth, grantKvRead, startOpenBao, type OpenBao } from '../support/openbao.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount } from '../support/workloads.js';
import { startVaultSidecar, until } from './cluster-sidecar.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };
const POLL_INTERVAL_SECONDS = 5;
const ALLOW = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:*', 'sts:GetCallerIdentity'], Resource: '*' }] } as const;

describe('aws source with access keys in an OpenBao KV v2 secret, re-signed against moto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-vault-aws-'));
  const port = testPort();
  let bao: OpenBao;
  let moto: Moto;
  let first: MotoUser;
  let second: MotoUser;
  let sidecar: ClusterSidecar;
  let logs: string[] = [];

  const keysOf = (u: MotoUser): Record<string, string> => ({ AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey });
  const cfg = (): { endpoint: string; region: string; credentials: typeof PLACEHOLDER; maxAttempts: number } => ({ endpoint: `http://127.0.0.1:${port}`, region: moto.region, credentials: PLACEHOLDER, maxAttempts: 1 });
  const whoAmI = async (): Promise<string | undefined> => (await new STSClient(cfg()).send(new GetCallerIdentityCommand({}))).Arn;

  beforeAll(async () => {
    [bao, moto] = await Promise.all([startOpenBao(), startMoto()]);
    first = await moto.createUserKeys({ userName: 'vault-first', policy: ALLOW });
    second = await moto.createUserKeys({ userName: 'vault-second', policy: ALLOW });
    await new DynamoDBClient(moto.clientConfig()).send(new CreateTableCommand({ TableName: 'vault-orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await configureKubernetesAuth(bao);
    const ns = await createNamespace('vault-aws');
    await createServiceAccount(ns, 'reports');
    await grantSidecarAccess(ns, 'reports');
    const pod = await createPod(ns, 'reports-0', { serviceAccount: 'reports' });
    await grantKvRead(bao, { role: 'reports', namespace: ns, serviceAccount: 'reports', path: 'teams/reports/aws', tokenTtlSeconds: 300 });
    await bao.putKv('teams/reports/aws', keysOf(first));

    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'credentialsources',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'aws' },
        spec: { type: 'aws', port, aws: { endpoint: moto.endpoint, allowPlaintextEndpoint: true,
          vault: { address: bao.address, allowPlaintext: true, auth: { kubernetes: { role: 'reports' } }, kv: { path: 'teams/reports/aws', pollIntervalSeconds: POLL_INTERVAL_SECONDS } } } } },
    });
    await custom.createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'egresspolicies',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'reports' },
        spec: { workloads: { serviceAccounts: ['reports'] }, rules: [{ name: 'read', effect: 'Allow', source: 'aws', actions: ['dynamodb:List*', 'sts:GetCallerIdentity'] }] } },
    });
    ({ sidecar, logs } = await startVaultSidecar(pod, dir, [port]));
    await until('the sidecar serves the source', 20_000, async () => ((await whoAmI().catch(() => undefined)) === first.arn ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    await sidecar?.stop();
    await Promise.all([bao?.close(), moto?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs the app’s calls with the keys from OpenBao, and moto (checking signatures) accepts them', async () => {
    expect(await whoAmI()).toBe(first.arn);
    expect((await new DynamoDBClient(cfg()).send(new ListTablesCommand({}))).TableNames).toContain('vault-orders');
  });

  it(`signs with the rotated keys within the poll interval (${POLL_INTERVAL_SECONDS} s)`, async () => {
    await bao.putKv('teams/reports/aws', keysOf(second));
    await until('calls run as the second user', (POLL_INTERVAL_SECONDS + 2) * 1000, async () => ((await whoAmI()) === second.arn ? true : undefined));
  });

  it('never logs the secret access keys', () => {
    const text = logs.join('\n');
    expect(text).toContain('credential loaded from Vault');
    for (const secret of [first.secretAccessKey, second.secretAccessKey]) expect(text).not.toContain(secret);
  });
});
