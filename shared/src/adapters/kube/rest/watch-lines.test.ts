import { describe, expect, it } from '@jest/globals';
import { JsonLines } from './watch-lines.js';

function collect(chunks: Buffer[], end = true): unknown[] {
  const out: unknown[] = [];
  const lines = new JsonLines((v) => out.push(v));
  for (const c of chunks) lines.push(c);
  if (end) lines.end();
  return out;
}

describe('JsonLines', () => {
  const events = [{ type: 'ADDED', object: { name: 'a' } }, { type: 'MODIFIED', object: { name: 'ü–ß😀' } }, { type: 'BOOKMARK', object: {} }];
  const body = Buffer.from(events.map((e) => JSON.stringify(e)).join('\n') + '\n');

  it('yields the same events whatever the chunk boundaries, even inside a multi-byte character', () => {
    for (let size = 1; size <= body.length; size += 3) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
      expect(collect(chunks)).toEqual(events);
    }
  });

  it('keeps an unfinished line until its newline arrives', () => {
    const out: unknown[] = [];
    const lines = new JsonLines((v) => out.push(v));
    lines.push(Buffer.from('{"type":"ADDED",'));
    expect(out).toEqual([]);
    lines.push(Buffer.from('"object":{}}\n'));
    expect(out).toEqual([{ type: 'ADDED', object: {} }]);
  });

  it('counts a last line without a newline and skips blank lines', () => {
    expect(collect([Buffer.from('\n{"a":1}\r\n\n{"b":2}')])).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('reports a line that is not JSON instead of skipping it', () => {
    expect(() => collect([Buffer.from('{"a":1}\nnot json\n')])).toThrow(/watch event is not JSON: "not json"/);
  });

  it('refuses a line that grows past the limit without a newline', () => {
    const lines = new JsonLines(() => undefined, 10);
    expect(() => lines.push(Buffer.from('{"a":"0123456789"'))).toThrow(/longer than 10 characters/);
  });

  it('lets an error of the consumer through as it is', () => {
    const lines = new JsonLines(() => {
      throw new SyntaxError('consumer');
    });
    expect(() => lines.push(Buffer.from('{}\n'))).toThrow('consumer');
  });
});
