import { describe, expect, it } from '@jest/globals';
import { kubeAccessFromKubeconfig, type KubeconfigFiles } from './kubeconfig.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function files(contents: Record<string, string>): KubeconfigFiles & { read: string[] } {
  const read: string[] = [];
  const get = (p: string): string => {
    read.push(p);
    const v = contents[p];
    if (v === undefined) throw new Error(`ENOENT: ${p}`);
    return v;
  };
  return { baseDir: '/home/dev/.kube', read, readText: get, readTextAsync: (p) => Promise.resolve(get(p)) };
}

function config(cluster: object, user: object, extra: object = {}): object {
  return {
    'current-context': 'dev',
    contexts: [{ name: 'other', context: { cluster: 'x', user: 'x' } }, { name: 'dev', context: { cluster: 'c', user: 'u' } }],
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:16443', ...cluster } }],
    users: [{ name: 'u', user }],
    ...extra,
  };
}

describe('kubeAccessFromKubeconfig', () => {
  it('takes inline CA and client certificate data of the current context', () => {
    const access = kubeAccessFromKubeconfig(
      config({ 'certificate-authority-data': b64('CA') }, { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }),
      files({}),
    );
    expect(access).toEqual({ server: 'https://127.0.0.1:16443', ca: 'CA', clientCert: { cert: 'CERT', key: 'KEY' } });
  });

  it('reads files relative to the kubeconfig and re-reads a token file on every call', async () => {
    const f = files({ '/home/dev/.kube/ca.crt': 'CA', '/var/tok': 'first\n' });
    const access = kubeAccessFromKubeconfig(config({ 'certificate-authority': 'ca.crt' }, { tokenFile: '/var/tok' }), f);
    expect(access.ca).toBe('CA');
    expect(await access.bearerToken?.()).toBe('first\n');
    expect(await access.bearerToken?.()).toBe('first\n');
    expect(f.read.filter((p) => p === '/var/tok')).toHaveLength(2);
  });

  it('takes a static token', async () => {
    const access = kubeAccessFromKubeconfig(config({}, { token: 's3cret' }), files({}));
    expect(await access.bearerToken?.()).toBe('s3cret');
  });

  it.each([
    ['an exec plugin', config({}, { exec: { command: 'aws' } }), /uses exec; supported are/],
    ['an auth provider', config({}, { 'auth-provider': { name: 'oidc' } }), /uses auth-provider/],
    ['basic auth', config({}, { username: 'a', password: 'b' }), /uses username, password/],
    ['no credentials', config({}, {}), /user "u" has no credentials/],
    ['a certificate without its key', config({}, { 'client-certificate-data': b64('C') }), /needs both a client certificate and its key/],
    ['insecure TLS', config({ 'insecure-skip-tls-verify': true }, { token: 't' }), /insecure-skip-tls-verify; the sidecar always verifies/],
    ['a proxy', config({ 'proxy-url': 'http://p' }, { token: 't' }), /proxy-url, which is not supported/],
    ['a missing server', { ...config({}, { token: 't' }), clusters: [{ name: 'c', cluster: {} }] }, /cluster "c".server is missing/],
    ['a context that is not there', config({}, { token: 't' }, { 'current-context': 'nope' }), /contexts has no entry named "nope"/],
    ['no current context', config({}, { token: 't' }, { 'current-context': '' }), /current-context is missing/],
    ['not a mapping', 'just text', /the kubeconfig is not a mapping/],
  ])('refuses %s with CONFIG_INVALID and says why', (_what, doc, message) => {
    expect(() => kubeAccessFromKubeconfig(doc, files({}))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }));
  });
});
