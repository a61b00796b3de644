// The request-framing corpus against the built sidecar process and a strict (h11) recording upstream, plain
// and TLS: no byte reaches an upstream unless the sidecar framed it and checked it (docs/security.md).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { framingCorpus, type FramingCase } from './corpus.js';
import { CREDENTIAL, DENIED_PREFIX, startFramingWorld, type CaseResult, type FramingWorld } from './framing-world.js';
import { framingViolations } from './invariants.js';

function checkCase(c: FramingCase, result: CaseResult): void {
  const { answer, connections, audit, followUpStatus } = result;
  expect(framingViolations({ connections, audit, credential: CREDENTIAL, deniedPrefix: DENIED_PREFIX })).toEqual([]);
  // The ordinary request after the case went through the same upstream pool, untouched by the case.
  expect(followUpStatus).toBe(200);
  const requests = connections.flatMap((conn) => conn.requests);
  expect(requests.at(-1)?.target).toBe('/v1/ok/after');
  const caseRequests = requests.slice(0, -1);
  const expectation = c.expect.kind === 'forward-or-refuse' ? (answer.statuses[0] === 200 ? { ...c.expect, kind: 'forward' as const } : { kind: 'refuse' as const }) : c.expect;
  if (expectation.kind === 'forward') {
    expect(answer.statuses[0]).toBe(200);
    expect(caseRequests.map((r) => ({ method: r.method, target: r.target, body: r.body.toString('latin1') }))).toEqual([
      { method: expectation.method, target: expectation.target, body: expectation.body },
    ]);
  } else {
    expect(caseRequests).toEqual([]);
    expect(answer.statuses[0]).toBeGreaterThanOrEqual(400);
    expect(answer.statuses[0]).toBeLessThan(500);
  }
}

// The sidecar as the image ships it (Bun), and on Node while that build exists (docs/security.md).
describe.each([['the shipped executable (Bun)', 'shipped'], ['Node', 'node']] as const)('request framing on %s: every corpus case against a strict upstream', (_runtimeName, runtime) => {
  let world: FramingWorld;
  const corpus = framingCorpus('127.0.0.1');

  beforeAll(async () => {
    world = await startFramingWorld(runtime);
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('has at least 60 cases, with forwarded and refused ones', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(corpus.filter((c) => c.expect.kind === 'forward').length).toBeGreaterThan(20);
    expect(corpus.filter((c) => c.expect.kind === 'refuse').length).toBeGreaterThan(20);
  });

  describe.each([['TLS', 'tls'], ['plain HTTP', 'plain']] as const)('upstream over %s', (_label, which) => {
    it.each(corpus.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      checkCase(c, await world.run(world.ports[which], c.bytes));
    });
  });

  it('gets the allowed answer for the reported smuggle and nothing else upstream', async () => {
    const c = corpus.find((x) => x.name.startsWith('GET whose chunked body is a forbidden request'));
    if (!c) throw new Error('the reported case is missing from the corpus');
    const result = await world.run(world.ports.tls, c.bytes);
    expect(result.answer.statuses).toEqual([200]);
    const targets = result.connections.flatMap((conn) => conn.requests.map((r) => r.target));
    expect(targets).toEqual(['/v1/ok', '/v1/ok/after']);
  });

  it('answers HEAD with a body with 400 REQUEST_FRAMING_REJECTED', async () => {
    const bytes = Buffer.from(`HEAD /v1/ok HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello`, 'latin1');
    const result = await world.run(world.ports.tls, bytes);
    expect(result.answer.statuses).toEqual([400]);
    expect(result.audit.find((a) => a.method === 'HEAD')?.error).toBe('REQUEST_FRAMING_REJECTED');
  });
});
