import { describe, expect, it } from '@jest/globals';
import type { KubeObject, ListWatch, WatchEventType } from './list-watch.js';
import { SupervisedInformer } from './supervised-informer.js';

interface Obj extends KubeObject {
  spec?: string;
}

const obj = (name: string, rv: string, spec = ''): Obj => ({ metadata: { name, namespace: 'ns', resourceVersion: rv }, spec });

/** A scripted API server: lists return `listResults` in turn; each watch is captured for the test to drive. */
class FakeApi implements ListWatch<Obj> {
  listResults: (Error | { items: Obj[]; resourceVersion: string })[] = [];
  lists = 0;
  watches: { rv: string; emit: (t: WatchEventType, o: Obj) => void; end: (err?: unknown) => void; aborted: boolean }[] = [];

  list(): Promise<{ items: Obj[]; resourceVersion: string }> {
    const next = this.listResults[Math.min(this.lists++, this.listResults.length - 1)];
    if (!next) return Promise.reject(new Error('no list result scripted'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }

  /** Like the real clients: onDone fires once, and abort() fires it synchronously (kube-rest does). */
  watch(rv: string, onEvent: (t: WatchEventType, o: Obj) => void, onDone: (err?: unknown) => void): Promise<{ abort(): void }> {
    let done = false;
    const end = (err?: unknown): void => {
      if (done) return;
      done = true;
      onDone(err);
    };
    const w = { rv, emit: onEvent, end, aborted: false };
    this.watches.push(w);
    return Promise.resolve({ abort: () => { w.aborted = true; end(); } });
  }
}

function setup(api: FakeApi) {
  const changes: string[][] = [];
  const errors: number[] = [];
  const attempts: number[] = [];
  const recoveries: { failedAttempts: number; outageMs: number }[] = [];
  const clock = { ms: 1_000_000 };
  const timers: (() => void)[] = [];
  let connects = 0;
  const informer = new SupervisedInformer<Obj>(
    api,
    {
      onChange: (items) => changes.push(items.map((i) => `${i.metadata?.name}:${i.spec}`).sort()),
      onError: (_err, ms, attempt) => {
        errors.push(ms);
        attempts.push(attempt);
      },
      onConnect: () => connects++,
      onRecover: (failedAttempts, outageMs) => recoveries.push({ failedAttempts, outageMs }),
    },
    {
      initialBackoffMs: 100,
      maxBackoffMs: 1000,
      random: () => 0.999,
      now: () => clock.ms,
      setTimer: (fn) => {
        timers.push(fn);
        return { cancel: () => undefined };
      },
    },
  );
  return { informer, changes, errors, attempts, recoveries, clock, timers, connects: () => connects };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SupervisedInformer', () => {
  it('lists, then applies watch events to its cache', async () => {
    const api = new FakeApi();
    api.listResults = [{ items: [obj('a', '1', 'x')], resourceVersion: '10' }];
    const { informer, changes, connects } = setup(api);
    informer.start();
    await flush();
    expect(informer.hasSynced()).toBe(true);
    expect(api.watches[0]?.rv).toBe('10');
    expect(connects()).toBe(1);

    api.watches[0]?.emit('ADDED', obj('b', '11', 'y'));
    api.watches[0]?.emit('MODIFIED', obj('a', '12', 'z'));
    api.watches[0]?.emit('DELETED', obj('b', '13'));
    expect(changes).toEqual([['a:x'], ['a:x', 'b:y'], ['a:z', 'b:y'], ['a:z']]);
  });

  it('resumes a watch that ended cleanly from the last resourceVersion, without relisting', async () => {
    const api = new FakeApi();
    api.listResults = [{ items: [], resourceVersion: '10' }];
    const { informer } = setup(api);
    informer.start();
    await flush();
    api.watches[0]?.emit('BOOKMARK', obj('', '42'));
    api.watches[0]?.end();
    await flush();
    expect(api.lists).toBe(1);
    expect(api.watches[1]?.rv).toBe('42');
  });

  it('relists after 410 Gone and replaces its cache with the fresh list', async () => {
    const api = new FakeApi();
    api.listResults = [
      { items: [obj('a', '1'), obj('stale', '2')], resourceVersion: '10' },
      { items: [obj('a', '30')], resourceVersion: '31' },
    ];
    const { informer } = setup(api);
    informer.start();
    await flush();
    api.watches[0]?.emit('ERROR', { code: 410 } as Obj);
    expect(api.watches[0]?.aborted).toBe(true);
    api.watches[0]?.end();
    await flush();
    expect(api.lists).toBe(2);
    expect(informer.items().map((i) => i.metadata?.name)).toEqual(['a']);
    expect(api.watches[1]?.rv).toBe('31');
  });

  it('keeps retrying a failing list with capped exponential backoff', async () => {
    const api = new FakeApi();
    api.listResults = [new Error('connection refused')];
    const { informer, errors, timers } = setup(api);
    informer.start();
    for (let i = 0; i < 6; i++) {
      await flush();
      timers.shift()?.();
    }
    await flush();
    expect(informer.hasSynced()).toBe(false);
    expect(errors.slice(0, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('restarts after a watch error and recovers once the API answers again', async () => {
    const api = new FakeApi();
    api.listResults = [{ items: [], resourceVersion: '1' }, new Error('boom'), { items: [obj('a', '5')], resourceVersion: '5' }];
    const { informer, timers, connects } = setup(api);
    informer.start();
    await flush();
    api.watches[0]?.end(new Error('stream reset'));
    timers.shift()?.();
    await flush();
    timers.shift()?.();
    await flush();
    expect(informer.items().map((i) => i.metadata?.name)).toEqual(['a']);
    expect(connects()).toBe(2);
  });

  it('numbers the attempts of one outage from 1 and reports its end once, with its length', async () => {
    const api = new FakeApi();
    const down = new Error('no answer within 10 s');
    api.listResults = [{ items: [obj('a', '1')], resourceVersion: '1' }, down, down, down, { items: [obj('a', '1')], resourceVersion: '9' }];
    const { informer, attempts, recoveries, clock, timers } = setup(api);
    informer.start();
    await flush();
    expect(recoveries).toEqual([]); // the first list is a start, not a recovery

    clock.ms += 1000;
    api.watches[0]?.end(new Error('watch silent for 90 s'));
    for (let i = 0; i < 4; i++) {
      clock.ms += 5000;
      timers.shift()?.();
      await flush();
    }
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(recoveries).toEqual([{ failedAttempts: 4, outageMs: 20_000 }]);

    // The next failure starts a new outage at attempt 1.
    api.listResults.push(down);
    api.watches.at(-1)?.end(new Error('reset'));
    expect(attempts).toEqual([1, 2, 3, 4, 1]);
    expect(recoveries).toHaveLength(1);
  });

  it('does nothing more once stopped', async () => {
    const api = new FakeApi();
    api.listResults = [{ items: [], resourceVersion: '1' }];
    const { informer } = setup(api);
    informer.start();
    await flush();
    informer.stop();
    expect(api.watches[0]?.aborted).toBe(true);
    api.watches[0]?.end();
    await flush();
    expect(api.watches).toHaveLength(1);
  });
});
