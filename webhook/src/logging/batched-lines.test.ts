import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../logger.js';
import { BatchedLines } from './batched-lines.js';

/** A sink that records each write, and a scheduler the test runs by hand (one "event-loop turn"). */
function world(maxPendingChars = 1 << 20): { writes: string[]; lines: BatchedLines; endTurn: () => void; scheduled: () => number } {
  const writes: string[] = [];
  let queued: (() => void)[] = [];
  const lines = new BatchedLines({ write: (t: string) => writes.push(t) }, { schedule: (f) => void queued.push(f), maxPendingChars });
  return {
    writes,
    lines,
    endTurn: () => {
      const run = queued;
      queued = [];
      for (const f of run) f();
    },
    scheduled: () => queued.length,
  };
}

describe('BatchedLines', () => {
  it('writes the lines of one turn in one write, in order, at the end of the turn', () => {
    const w = world();
    w.lines.write('a\n');
    w.lines.write('b\n');
    w.lines.write('c\n');
    expect(w.writes).toEqual([]);
    expect(w.scheduled()).toBe(1);
    w.endTurn();
    expect(w.writes).toEqual(['a\nb\nc\n']);
  });

  it('holds nothing across turns: each turn that logged is written at its end, and an idle turn writes nothing', () => {
    const w = world();
    w.lines.write('1\n');
    w.endTurn();
    w.endTurn();
    w.lines.write('2\n');
    w.endTurn();
    expect(w.writes).toEqual(['1\n', '2\n']);
    expect(w.scheduled()).toBe(0);
  });

  it('writes at once when a turn has logged maxPendingChars, so a burst cannot grow memory without bound', () => {
    const w = world(10);
    w.lines.write('12345\n');
    w.lines.write('67890\n');
    expect(w.writes).toEqual(['12345\n67890\n']);
    w.lines.write('x\n');
    w.endTurn();
    expect(w.writes).toEqual(['12345\n67890\n', 'x\n']);
  });

  it('flush() writes what is pending now (the exit path) and the scheduled turn then writes nothing twice', () => {
    const w = world();
    w.lines.write('last words\n');
    w.lines.flush();
    expect(w.writes).toEqual(['last words\n']);
    w.endTurn();
    w.lines.flush();
    expect(w.writes).toEqual(['last words\n']);
  });

  it('serves as the pino destination: every admission line of a turn arrives intact and parseable', () => {
    const w = world();
    const log = createLogger('info', w.lines);
    for (let i = 0; i < 50; i++) log.info({ admissionUid: `uid-${i}` }, 'injected');
    w.endTurn();
    expect(w.writes).toHaveLength(1);
    const parsed = (w.writes[0] ?? '').trimEnd().split('\n').map((l) => JSON.parse(l) as { admissionUid: string; msg: string });
    expect(parsed.map((l) => l.admissionUid)).toEqual(Array.from({ length: 50 }, (_x, i) => `uid-${i}`));
    expect(parsed.every((l) => l.msg === 'injected')).toBe(true);
  });
});
