// The demo's GitHub App step (issue 17): the sidecar mints a GitHub App installation token for the pod,
// narrowed to one repository, and Octokit calls GitHub through it with only the placeholder token.
import { generateKeyPairSync } from 'node:crypto';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import { startGithubStandIn, testPki, type GithubStandIn } from '@portcullis/sidecar/testing';
import { denied, detail, heading, ok } from './print.js';
import { GROUP } from './world.js';

const APP_ID = '123456';
const INSTALLATION = 42;

export interface DemoGithub {
  readonly standIn: GithubStandIn;
  /** The App's private key (PKCS#1 PEM, as GitHub hands it out): the Secret volume's content. */
  readonly privateKeyPem: string;
}

/** A GitHub stand-in that knows one App (its public key) installed on acme/reports and acme/billing. */
export async function startDemoGithub(): Promise<DemoGithub> {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const standIn = await startGithubStandIn({
    pki: testPki(),
    apps: { [APP_ID]: key.publicKey },
    installations: [{ id: INSTALLATION, appId: APP_ID, owner: 'acme', repositories: ['reports', 'billing'], permissions: { contents: 'read', issues: 'write', metadata: 'read' } }],
  });
  return { standIn, privateKeyPem: key.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
}

/** The source `github` (GitHub App, narrowed to acme/reports with issues:write) and a policy letting the agent use it. */
export async function createGithubResources(kc: KubeConfig, namespace: string, port: number, github: DemoGithub): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    ...GROUP, namespace, plural: 'credentialsources',
    body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'github' }, spec: { type: 'http', port, http: {
      preset: 'github', upstream: github.standIn.url, caBundle: github.standIn.ca.certPem,
      githubApp: { appId: APP_ID, installationId: INSTALLATION, privateKeySecretRef: { name: 'github-app', key: 'private-key.pem' }, repositories: ['reports'], permissions: { issues: 'write' } },
    } } },
  });
  await custom.createNamespacedCustomObject({
    ...GROUP, namespace, plural: 'egresspolicies',
    body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent-github' }, spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'repos', effect: 'Allow', source: 'github', methods: ['GET', 'POST'], paths: ['/repos/acme/**'] }] } },
  });
}

export async function githubAppCalls(port: number, github: DemoGithub): Promise<void> {
  heading('The app, part 1c: Octokit on GitHub through a GitHub App — an installation token minted for the pod');
  const octokit = new Octokit({ auth: PLACEHOLDER_CREDENTIAL, baseUrl: `http://127.0.0.1:${port}`, request: { retries: 0 } });
  const issue = await octokit.rest.issues.create({ owner: 'acme', repo: 'reports', title: 'Q3 summary is ready' });
  ok(`allowed: POST /repos/acme/reports/issues → ${issue.status} (the sidecar signed an app JWT and minted an installation token; the app holds "${PLACEHOLDER_CREDENTIAL}")`);
  const mint = github.standIn.mints.find((m) => m.status === 201);
  detail(`GitHub minted one token for installation ${mint?.installationId ?? '?'}, narrowed to repositories ${JSON.stringify(mint?.repositories)} and permissions ${JSON.stringify(mint?.permissions)}`);
  await octokit.rest.repos.get({ owner: 'acme', repo: 'billing' }).then(
    () => denied('acme/billing was reachable, though the token is narrowed to acme/reports'),
    (err: unknown) => denied(`refused by GitHub: GET /repos/acme/billing → ${(err as { status?: number }).status ?? '?'} (the policy allows it, the narrowed token does not)`),
  );
}
