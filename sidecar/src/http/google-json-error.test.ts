// The sidecar's refusals for Google sources, read by Google's own HTTP client (gaxios, under every Google
// Cloud client library): the status, message and reason must come through as the app's SDK shows them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gaxios } from 'google-auth-library';
import { PortcullisError } from '@portcullis/shared';
import { writeGoogleJsonError } from './google-json-error.js';

let server: Server;
let url: string;
let next: PortcullisError;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    writeGoogleJsonError(res, next, 'req-7');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/storage/v1/b/reports/o`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function refusal(err: PortcullisError): Promise<gaxios.GaxiosError> {
  next = err;
  try {
    await new gaxios.Gaxios().request({ url, retry: false });
  } catch (e) {
    if (e instanceof gaxios.GaxiosError) return e;
    throw e;
  }
  throw new Error('the request succeeded');
}

describe("Google's JSON error shape", () => {
  it('gives gaxios a policy denial as 403 PERMISSION_DENIED with the message and the sidecar code as reason', async () => {
    const e = await refusal(new PortcullisError('POLICY_DENIED', 'GET /storage/v1/b/reports/o is not allowed by any EgressPolicy for team-a/agent'));
    expect(e.status).toBe(403);
    expect(e.message).toBe('GET /storage/v1/b/reports/o is not allowed by any EgressPolicy for team-a/agent');
    expect(e.error).toBeUndefined();
    expect(e.response?.headers.get('x-portcullis-request-id')).toBe('req-7');
    expect(e.response?.data).toMatchObject({
      error: {
        code: 403, status: 'PERMISSION_DENIED',
        errors: [{ domain: 'portcullis.dev', reason: 'POLICY_DENIED' }],
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'POLICY_DENIED', domain: 'portcullis.dev', metadata: { requestId: 'req-7' } }],
      },
    });
  });

  it('gives a failed mint as 503 UNAVAILABLE naming GCP_TOKEN_REFUSED', async () => {
    const e = await refusal(new PortcullisError('GCP_TOKEN_REFUSED', 'Google STS refused the token exchange'));
    expect([e.status, e.message]).toEqual([503, 'Google STS refused the token exchange']);
    expect(e.response?.data).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE', errors: [{ reason: 'GCP_TOKEN_REFUSED' }] } });
  });

  it('gives a rate limit as 429 RESOURCE_EXHAUSTED', async () => {
    const e = await refusal(new PortcullisError('RATE_LIMITED', 'slow down'));
    expect(e.status).toBe(429);
    expect(e.response?.data).toMatchObject({ error: { status: 'RESOURCE_EXHAUSTED' } });
  });
});
