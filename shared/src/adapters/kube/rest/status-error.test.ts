import { describe, expect, it } from '@jest/globals';
import { KubeApiError, kubeApiError } from './status-error.js';

describe('kubeApiError', () => {
  it('names the Status reason and message of the API server', () => {
    const body = JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Expired', message: 'too old resource version: 5 (9)', code: 410 });
    const err = kubeApiError('GET', '/apis/x', 410, body);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 410, reason: 'Expired' });
    expect(err.message).toBe('GET /apis/x: 410 Expired: too old resource version: 5 (9)');
  });

  it('tells what to check on 401 and 403', () => {
    expect(kubeApiError('POST', '/t', 401, '{"kind":"Status","reason":"Unauthorized","message":"Unauthorized"}').message).toMatch(/token file or client certificate/);
    expect(kubeApiError('GET', '/l', 403, '{"kind":"Status","reason":"Forbidden","message":"no"}').message).toMatch(/RBAC/);
  });

  it('quotes, cut short, a body that is not a Status (a proxy in between)', () => {
    const err = kubeApiError('GET', '/l', 502, `<html>${'x'.repeat(500)}</html>`);
    expect(err.reason).toBe('HTTP502');
    expect(err.message).toMatch(/^GET \/l: 502 HTTP502: "<html>x+"$/);
    expect(err.message.length).toBeLessThan(260);
  });
});
