import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../logger.js';
import { admissionLog, type AdmissionLine } from './admission-log.js';

function capture(level = 'info'): { lines: Record<string, unknown>[]; log: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, log: createLogger(level, sink) };
}

const line: AdmissionLine = {
  admissionUid: '5f0c-uid',
  namespace: 'team-a',
  dryRun: false,
  result: 'injected',
  reason: 'Injected',
  sources: ['openai', 'token', 'data'],
  warnings: 2,
};

describe('admissionLog', () => {
  it('writes the same line as the redacting root logger: its wildcard paths match nothing on it', () => {
    const { lines, log } = capture();
    admissionLog(log)(line, 'injected native sidecar with sources [openai, token, data]', false);
    log.info(line, 'injected native sidecar with sources [openai, token, data]');
    const [ours, root] = lines.map(({ time: _time, ...rest }) => rest);
    expect(ours).toEqual(root);
    expect(Object.keys(ours ?? {})).toEqual(Object.keys(root ?? {}));
    expect(ours).toMatchObject({ level: 30, component: 'portcullis-webhook', admissionUid: '5f0c-uid', sources: ['openai', 'token', 'data'], warnings: 2 });
  });

  it('leaves the root logger redacting secrets', () => {
    const { lines, log } = capture();
    admissionLog(log)(line, 'injected', false);
    log.warn({ secret: { token: 'hunter2', data: { k: 'v' } } }, 'something with a secret');
    expect(JSON.stringify(lines[1])).not.toContain('hunter2');
    expect(lines[1]).toMatchObject({ secret: { token: '[REDACTED]', data: '[REDACTED]' } });
  });

  it('logs admissions of pods that did not ask at debug only', () => {
    const { lines, log } = capture('info');
    admissionLog(log)({ ...line, result: 'skipped', reason: 'NotRequested' }, 'not requested', true);
    expect(lines).toEqual([]);
    const debug = capture('debug');
    admissionLog(debug.log)({ ...line, result: 'skipped', reason: 'NotRequested' }, 'not requested', true);
    expect(debug.lines).toEqual([expect.objectContaining({ level: 20, reason: 'NotRequested', admissionUid: '5f0c-uid' })]);
  });
});
