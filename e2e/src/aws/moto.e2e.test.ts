// Every non-S3 service row of moto-cases.ts, through the sidecar, by the AWS SDK v3 for JS, boto3 and
// the aws CLI. moto checks signatures and the role's policy, so a call that succeeds was signed with the
// STS credentials the sidecar obtained by web identity; the app only ever holds placeholder keys.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsEnv, runVenv } from '../support/aws-peers.js';
import { MOTO_CASES, type ClientConfig } from './moto-cases.js';
import { startMotoWorld, STS_TOKEN, type MotoWorld } from './moto-setup.js';
import { PLACEHOLDER } from './s3-setup.js';
import { SESSION_NAME } from './sidecar.js';

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };
const failure = (p: Promise<unknown>): Promise<SdkError | undefined> => p.then(() => undefined, (e: unknown) => e as SdkError);

const BOTO3 = String.raw`
import json, os, boto3
from botocore.exceptions import ClientError
w = json.loads(os.environ["WORLD"])
def c(service):
    return boto3.client(service)
out = []
for row in json.loads(os.environ["ROWS"]):
    result = {"service": row["service"], "allowed": eval(row["allowed"])}
    try:
        eval(row["denied"])
        result["denied"] = None
    except ClientError as e:
        result["denied"] = {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    out.append(result)
print(json.dumps(out))
`;

describe('moto services through the sidecar with STS web-identity credentials', () => {
  let w: MotoWorld;
  let cfg: ClientConfig;

  beforeAll(async () => {
    w = await startMotoWorld();
    cfg = { endpoint: w.url, region: w.moto.region, credentials: PLACEHOLDER, maxAttempts: 1 };
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
  });

  it('calls moto as the assumed role, with a session name naming the pod', async () => {
    const me = await new STSClient(cfg).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${w.moto.accountId}:assumed-role/${w.role.roleName}/${SESSION_NAME}`);
  });

  describe.each(MOTO_CASES)('AWS SDK v3: $service', (row) => {
    it(`allows ${row.allowed.action}`, async () => {
      expect(await row.allowed.sdk(cfg, w)).toEqual(row.allowed.expected);
    });

    it(`denies ${row.denied.action} with AccessDenied from Portcullis`, async () => {
      const err = await failure(row.denied.sdk(cfg, w));
      expect(['AccessDenied', 'AccessDeniedException']).toContain(err?.name);
      expect(err?.$metadata?.httpStatusCode).toBe(403);
      expect(err?.message).toContain(`Portcullis denied ${row.denied.action}`);
    });
  });

  it("lets moto enforce the role's own policy on what Portcullis allows", async () => {
    const err = await failure(new SNSClient(cfg).send(new ListTopicsCommand({})));
    expect(err?.name).toMatch(/^(AccessDenied|AuthorizationError)/);
    expect(err?.message).not.toContain('Portcullis');
    expect(err?.message).toContain(`assumed-role/${w.role.roleName}/${SESSION_NAME}`);
  });

  it('boto3: every row allowed and denied', async () => {
    const rows = MOTO_CASES.map((r) => ({ service: r.service, allowed: r.allowed.boto3, denied: r.denied.boto3 }));
    const env = { ...awsEnv({ credentials: PLACEHOLDER, region: w.moto.region, endpointUrl: w.url }), ROWS: JSON.stringify(rows), WORLD: JSON.stringify({ queueUrl: w.queueUrl, topicArn: w.topicArn }) };
    const run = await runVenv('python', ['-'], { env, input: BOTO3, timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { service: string; allowed: unknown; denied: { code: string; message: string; status: number } | null }[];
    for (const row of MOTO_CASES) {
      const got = out.find((o) => o.service === row.service);
      expect(got?.allowed).toEqual(row.allowed.expected);
      expect(got?.denied).toMatchObject({ code: expect.stringMatching(/^AccessDenied(Exception)?$/), status: 403, message: expect.stringContaining(`Portcullis denied ${row.denied.action}`) });
    }
  }, 120_000);

  it.each(MOTO_CASES.map((r) => [r.service, r] as const))('aws CLI: %s allowed and denied', async (_service, row) => {
    const env = awsEnv({ credentials: PLACEHOLDER, region: w.moto.region, endpointUrl: w.url });
    const allowed = await runVenv('aws', row.allowed.cli(w), { env });
    expect(allowed).toMatchObject({ code: 0, stderr: '' });
    const denied = await runVenv('aws', row.denied.cli(w), { env });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/AccessDenied/);
    expect(denied.stderr).toContain(`Portcullis denied ${row.denied.action}`);
  }, 60_000);

  it('audits each call with the role and STS session, and never logs the token or the STS secret', () => {
    const line = w.sidecar.audit.find((a) => a.aws?.action === 'secretsmanager:GetSecretValue' && a.status === 200);
    expect(line?.aws).toMatchObject({ service: 'secretsmanager', region: w.moto.region, roleArn: w.role.roleArn, sessionName: SESSION_NAME });
    expect(w.sidecar.output()).not.toContain(STS_TOKEN);
    expect(w.sidecar.output()).not.toMatch(/"(secretAccessKey|sessionToken)"/);
  });
});
