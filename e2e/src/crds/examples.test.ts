// Offline checks of examples/: safe to copy, self-contained, and free of anything that looks like a
// real credential. examples.e2e.test.ts proves the API server accepts them.
import { describe, expect, it } from '@jest/globals';
import { readExamples } from './examples.js';

const examples = readExamples();
const byKind = (kind: string) =>
  examples.flatMap((e) => e.objects.filter((o) => o.kind === kind).map((o) => ({ ...o, file: e.file })));

describe('examples/', () => {
  it('covers S3, an OpenAI-style API, audit mode, a GitHub preset and a generic header API', () => {
    expect(examples.map((e) => e.file)).toEqual(
      expect.arrayContaining([
        's3-read-only.yaml',
        'openai-chat-only.yaml',
        'audit-mode.yaml',
        'github-preset.yaml',
        'generic-header-api.yaml',
      ]),
    );
  });

  it.each(examples)('$file explains itself and leaves the namespace to kubectl -n', ({ text, objects }) => {
    expect(text.startsWith('# ')).toBe(true);
    expect(text).toContain('kubectl apply -n ');
    expect(objects.filter((o) => o.metadata.namespace !== undefined)).toEqual([]);
  });

  it('never carries a real-looking secret: every Secret value is a marked placeholder', () => {
    const secrets = byKind('Secret');
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(secret.data).toBeUndefined();
      for (const value of Object.values(secret.stringData ?? {})) expect(value).toContain('EXAMPLE');
    }
  });

  it.each(examples)('$file defines every Secret and CredentialSource it refers to', ({ objects }) => {
    const names = (kind: string) => new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
    const sources = names('CredentialSource');
    const secrets = names('Secret');
    const json = JSON.stringify(objects);
    for (const [, source] of json.matchAll(/"source":"([^"]+)"/g))
      expect(source === '*' || sources.has(source ?? '')).toBe(true);
    for (const [, secret] of json.matchAll(/"secretRef":\{"name":"([^"]+)"/g)) {
      expect(secrets.has(secret ?? '')).toBe(true);
    }
  });

  it('gives every CredentialSource its own port, so all examples can share a namespace', () => {
    const ports = byKind('CredentialSource').map((s) => s.spec?.port);
    expect(new Set(ports).size).toBe(ports.length);
  });
});
