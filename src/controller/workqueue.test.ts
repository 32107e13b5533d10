import type { Clock, TimerHandle } from './clock.js';
import { WorkQueue } from './workqueue.js';
import type { WorkQueueMetricsSink } from './workqueue.js';

/** A clock that moves only when the test says so. */
class FakeClock implements Clock {
  private now = 1_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;

  nowMs(): number {
    return this.now;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ at: this.now + delayMs, fn, id });
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pending(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = until;
  }
}

class RecordingSink implements WorkQueueMetricsSink {
  depths: number[] = [];
  adds = 0;
  retries = 0;
  queued: number[] = [];
  worked: number[] = [];
  depth(keys: number): void {
    this.depths.push(keys);
  }
  added(): void {
    this.adds++;
  }
  retried(): void {
    this.retries++;
  }
  queueDuration(seconds: number): void {
    this.queued.push(seconds);
  }
  workDuration(seconds: number): void {
    this.worked.push(seconds);
  }
}

/** Resolves to 'pending' when the promise has not settled after the microtask queue drains. */
async function settled<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([
    p,
    new Promise<'pending'>((r) =>
      setImmediate(() => {
        r('pending');
      }),
    ),
  ]);
}

function setup(jitter = 0) {
  const clock = new FakeClock();
  const sink = new RecordingSink();
  const queue = new WorkQueue({
    clock,
    metrics: sink,
    backoff: { baseDelayMs: 100, maxDelayMs: 1_000, jitter, random: () => 0.5 },
  });
  return { clock, sink, queue };
}

describe('WorkQueue', () => {
  it('hands out keys in the order they were added', async () => {
    const { queue } = setup();
    queue.add('ns/a');
    queue.add('ns/b');
    expect(await queue.get()).toBe('ns/a');
    expect(await queue.get()).toBe('ns/b');
  });

  it('collapses a key added again while it is queued', async () => {
    const { queue, sink } = setup();
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    expect(queue.length).toBe(2);
    expect(sink.adds).toBe(2);
    expect(await queue.get()).toBe('ns/a');
    expect(await queue.get()).toBe('ns/b');
    const third = queue.get();
    expect(await settled(third)).toBe('pending');
    queue.done('ns/a');
    queue.done('ns/b');
    await queue.shutDown();
    expect(await third).toBeUndefined();
  });

  it('requeues a key added while it was processed, only after done', async () => {
    const { queue } = setup();
    queue.add('ns/a');
    const key = await queue.get();
    queue.add('ns/a');
    queue.add('ns/a');
    // Never to a second worker while the first holds it.
    expect(queue.length).toBe(0);
    const second = queue.get();
    expect(await settled(second)).toBe('pending');
    queue.done(key!);
    expect(await second).toBe('ns/a');
    queue.done('ns/a');
    expect(await settled(queue.get())).toBe('pending');
    await queue.shutDown();
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const { queue } = setup();
    const waiting = queue.get();
    expect(await settled(waiting)).toBe('pending');
    queue.add('ns/a');
    expect(await waiting).toBe('ns/a');
  });

  it('adds a key after a delay on the injected clock', async () => {
    const { queue, clock } = setup();
    queue.addAfter('ns/a', 500);
    expect(queue.length).toBe(0);
    clock.advance(499);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(await queue.get()).toBe('ns/a');
  });

  it('keeps the earliest of several delayed adds for one key', () => {
    const { queue, clock } = setup();
    queue.addAfter('ns/a', 500);
    queue.addAfter('ns/a', 200);
    queue.addAfter('ns/a', 900);
    expect(clock.pending).toBe(1);
    clock.advance(200);
    expect(queue.length).toBe(1);
  });

  it('backs off exponentially per key and starts over after forget', async () => {
    const { queue, clock, sink } = setup();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      queue.addRateLimited('ns/a');
      let waited = 0;
      while (queue.length === 0 && waited < 10_000) {
        clock.advance(1);
        waited++;
      }
      waits.push(waited);
      // Take and finish the key so the next retry is queued afresh.
      queue.done((await queue.get())!);
    }
    expect(waits).toEqual([100, 200, 400, 800, 1000]);
    expect(queue.numRequeues('ns/a')).toBe(5);
    expect(sink.retries).toBe(5);
    queue.forget('ns/a');
    expect(queue.numRequeues('ns/a')).toBe(0);
  });

  it('spreads retries with jitter but never past the cap', () => {
    const { queue, clock } = setup(1);
    for (let i = 0; i < 8; i++) queue.addRateLimited('ns/a');
    // Each retry keeps the earliest due time; with random 0.5 and jitter 1 the first is 150 ms.
    clock.advance(149);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(queue.length).toBe(1);
  });

  it('reports depth, queue time and work time to the metrics sink', async () => {
    const { queue, clock, sink } = setup();
    queue.add('ns/a');
    queue.add('ns/b');
    expect(sink.depths.at(-1)).toBe(2);
    clock.advance(250);
    const key = await queue.get();
    expect(sink.queued).toEqual([0.25]);
    clock.advance(1_500);
    queue.done(key!);
    expect(sink.worked).toEqual([1.5]);
    expect(sink.depths.at(-1)).toBe(1);
  });

  it('on shutdown ignores new keys, drops delayed ones and releases waiting workers', async () => {
    const { queue, clock } = setup();
    const waiting = queue.get();
    queue.addAfter('ns/late', 100);
    const stopped = queue.shutDown();
    await stopped;
    expect(await waiting).toBeUndefined();
    queue.add('ns/a');
    clock.advance(1_000);
    expect(clock.pending).toBe(0);
    expect(await queue.get()).toBeUndefined();
    expect(queue.isShuttingDown).toBe(true);
  });

  it('finishes shutting down only when the key in progress is done', async () => {
    const { queue } = setup();
    queue.add('ns/a');
    const key = await queue.get();
    const stopped = queue.shutDown();
    expect(await settled(stopped)).toBe('pending');
    queue.done(key!);
    await expect(stopped).resolves.toBeUndefined();
  });
});
