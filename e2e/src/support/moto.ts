// moto_server as the peer for IAM, STS, DynamoDB, SQS, ...: with signature checking on it accepts only
// requests signed (SigV4, header form) with an IAM user's access key or STS temporary credentials, and
// enforces the IAM policies of that user or assumed role. It does not check aws-chunked chunk
// signatures (MinIO does) and does not validate web-identity tokens.
import { randomBytes } from 'node:crypto';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { get } from '../cluster/health.js';
import { startPeer } from './aws-peers-process.js';
import { MOTO_LAUNCHER, peerTools, venvBin, type AwsCredentials } from './aws-peers-tools.js';

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
  readonly Sid?: string;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

export interface MotoUser extends AwsCredentials {
  readonly userName: string;
  readonly arn: string;
}

export interface MotoRole {
  readonly roleName: string;
  readonly roleArn: string;
}

export interface MotoOptions {
  /** Signature checking from the start (default true); switch with enableAuth()/disableAuth(). */
  readonly auth?: boolean;
  readonly region?: string;
  readonly startTimeoutMs?: number;
}

export interface Moto {
  /** http://127.0.0.1:<port>: one endpoint for every service (moto routes by the signature's scope). */
  readonly endpoint: string;
  readonly region: string;
  /** moto's account (ARNs are arn:aws:iam::<accountId>:...). */
  readonly accountId: string;
  /** An IAM user allowed everything: valid whether signature checking is on or off. */
  readonly admin: MotoUser;
  /** Options for an AWS SDK v3 client (admin credentials unless others are given). */
  clientConfig(credentials?: AwsCredentials): {
    endpoint: string;
    region: string;
    credentials: AwsCredentials;
  };
  /** An IAM user with an access key and an inline policy (default: allow everything). */
  createUserKeys(opts?: { userName?: string; policy?: PolicyDocument }): Promise<MotoUser>;
  /** A role with an inline policy; the default trust policy lets any IAM principal and any OIDC provider assume it. */
  createRole(opts: { roleName?: string; policy: PolicyDocument; trustPolicy?: PolicyDocument }): Promise<MotoRole>;
  /** Signature checking on: unsigned or wrongly signed requests get 403 (POST /moto-api/reset-auth 0). */
  enableAuth(): Promise<void>;
  /** Signature checking off: moto accepts anything (POST /moto-api/reset-auth inf). */
  disableAuth(): Promise<void>;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const ACCOUNT_ID = '123456789012';

export const ALLOW_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

function defaultTrust(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      // moto matches the caller's ARN against Principal.AWS literally (an account root ARN would not
      // cover the account's users), so "*": any IAM user or role of moto's account.
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { Federated: '*' }, Action: 'sts:AssumeRoleWithWebIdentity' },
    ],
  };
}

const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

async function resetAuth(endpoint: string, initialNoAuthActionCount: '0' | 'inf'): Promise<void> {
  // text/plain: moto reads the raw body, which a form content type would hide.
  const res = await fetch(`${endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: initialNoAuthActionCount,
  });
  if (res.status !== 200) throw new Error(`moto reset-auth ${initialNoAuthActionCount}: HTTP ${res.status} ${await res.text()}`);
}

async function createUserKeys(iam: IAMClient, userName: string, policy: PolicyDocument): Promise<MotoUser> {
  const user = await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(
    new PutUserPolicyCommand({ UserName: userName, PolicyName: 'e2e', PolicyDocument: JSON.stringify(policy) }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
  if (!key?.AccessKeyId || !key.SecretAccessKey || !user.User?.Arn) throw new Error(`moto returned no access key for ${userName}`);
  return { userName, arn: user.User.Arn, accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

/**
 * Starts moto_server (through e2e/scripts/moto-server.py, which answers unsigned requests like AWS:
 * AssumeRoleWithWebIdentity/SAML allowed, anything else 403 MissingAuthenticationToken) on 127.0.0.1
 * with `-p 0`: werkzeug binds port 0 itself, so the OS picks a free port with no race, and prints it.
 */
export async function startMoto(opts: MotoOptions = {}): Promise<Moto> {
  const { venv } = peerTools();
  const region = opts.region ?? 'us-east-1';
  const peer = await startPeer({
    name: 'moto',
    bin: venvBin('python'),
    args: () => [MOTO_LAUNCHER, '-H', '127.0.0.1', '-p', '0'],
    env: {
      PATH: `${venv}/bin:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: process.env.HOME ?? '/tmp',
      LANG: 'C.UTF-8',
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      MOTO_ACCOUNT_ID: ACCOUNT_ID,
    },
    listening: /Running on (http:\/\/127\.0\.0\.1:\d+)/,
    ready: async (url) => (await get(`${url}/moto-api/data.json`)).status === 200,
    timeoutMs: opts.startTimeoutMs ?? 30_000,
  });
  const endpoint = peer.url;
  try {
    // Signature checking is off until reset-auth, so the admin can be made with any key.
    const bootstrap = new IAMClient({ endpoint, region, credentials: { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' } });
    const admin = await createUserKeys(bootstrap, unique('e2e-admin'), ALLOW_ALL);
    bootstrap.destroy();
    const clientConfig = (credentials: AwsCredentials = admin): ReturnType<Moto['clientConfig']> => ({
      endpoint,
      region,
      credentials,
    });
    const iam = (): IAMClient => new IAMClient(clientConfig());
    if (opts.auth !== false) await resetAuth(endpoint, '0');
    return {
      endpoint,
      region,
      accountId: ACCOUNT_ID,
      admin,
      clientConfig,
      async createUserKeys(o = {}) {
        const client = iam();
        try {
          return await createUserKeys(client, o.userName ?? unique('e2e-user'), o.policy ?? ALLOW_ALL);
        } finally {
          client.destroy();
        }
      },
      async createRole(o) {
        const client = iam();
        try {
          const roleName = o.roleName ?? unique('e2e-role');
          const trust = JSON.stringify(o.trustPolicy ?? defaultTrust());
          const role = await client.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust }));
          await client.send(
            new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'e2e', PolicyDocument: JSON.stringify(o.policy) }),
          );
          if (!role.Role?.Arn) throw new Error(`moto returned no ARN for role ${roleName}`);
          return { roleName, roleArn: role.Role.Arn };
        } finally {
          client.destroy();
        }
      },
      enableAuth: () => resetAuth(endpoint, '0'),
      disableAuth: () => resetAuth(endpoint, 'inf'),
      logTail: (lines) => peer.logTail(lines),
      stop: () => peer.stop(),
    };
  } catch (err) {
    const tail = peer.logTail();
    await peer.stop();
    throw new Error(`moto started but could not be set up: ${(err as Error).message}\n${tail}`, { cause: err });
  }
}
