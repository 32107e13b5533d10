import { KeyedBackoff } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { systemClock } from './clock.js';
import type { Clock, TimerHandle } from './clock.js';

/**
 * Where a work queue reports what it does. The metrics module provides one per queue name; the
 * queue itself never imports metrics.
 */
export interface WorkQueueMetricsSink {
  /** Keys waiting to be processed (not counting delayed or in-progress ones). */
  depth(keys: number): void;
  /** A key entered the queue (a duplicate that collapsed is not counted). */
  added(): void;
  /** A key was scheduled again after a failure. */
  retried(): void;
  /** Time a key waited between being queued and being taken, in seconds. */
  queueDuration(seconds: number): void;
  /** Time between taking a key and `done`, in seconds. */
  workDuration(seconds: number): void;
}

/** Options for `WorkQueue`. */
export interface WorkQueueOptions {
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Per-key retry backoff; see `BackoffOptions` for its defaults. */
  readonly backoff?: BackoffOptions;
  /** Default: reports go nowhere. */
  readonly metrics?: WorkQueueMetricsSink;
}

const noMetrics: WorkQueueMetricsSink = {
  depth: () => undefined,
  added: () => undefined,
  retried: () => undefined,
  queueDuration: () => undefined,
  workDuration: () => undefined,
};

/**
 * A queue of object keys (`namespace/name`) for reconcile workers, with the guarantees a
 * controller needs: a key is never queued twice, never processed by two workers at once, and
 * a key added while it is being processed is processed again after `done`, so no change is
 * lost. Failures retry with per-key exponential backoff (`addRateLimited`, reset by `forget`).
 */
export class WorkQueue {
  private readonly clock: Clock;
  private readonly backoff: KeyedBackoff;
  private readonly metrics: WorkQueueMetricsSink;
  /** FIFO of ready keys; `head` avoids O(n) shifts. */
  private ready: string[] = [];
  private head = 0;
  /** Keys that need processing (queued, or re-added while processing), with their add time. */
  private readonly dirty = new Map<string, number>();
  /** Keys taken by a worker, with the time they were taken. */
  private readonly processing = new Map<string, number>();
  /** Delayed adds: the earliest due time per key and its timer. */
  private readonly delayed = new Map<string, { dueMs: number; timer: TimerHandle }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.backoff = new KeyedBackoff(options.backoff);
    this.metrics = options.metrics ?? noMetrics;
  }

  /** Keys ready to be taken. */
  get length(): number {
    return this.ready.length - this.head;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Queues `key` unless it is already queued; ignored after shutdown. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.set(key, this.clock.nowMs());
    this.metrics.added();
    // A key being processed goes back in the queue on `done`, never to a second worker.
    if (this.processing.has(key)) return;
    this.ready.push(key);
    this.serve();
  }

  /**
   * Queues `key` after `delayMs` milliseconds (at once when <= 0). Of several delayed adds
   * for one key, the earliest wins.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const dueMs = this.clock.nowMs() + delayMs;
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.dueMs <= dueMs) return;
      this.clock.clearTimer(existing.timer);
    }
    const timer = this.clock.setTimer(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { dueMs, timer });
  }

  /** Queues `key` again after its backoff, and counts one more failure for it. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics.retried();
    this.addAfter(key, this.backoff.next(key));
  }

  /** Resets `key`'s backoff, after it succeeded or was deleted. Does not unqueue it. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** Failures counted for `key` since it was last forgotten. */
  numRequeues(key: string): number {
    return this.backoff.count(key);
  }

  /**
   * Takes the next key, waiting until one is ready. Resolves undefined once the queue shuts
   * down. The caller must call `done(key)` when finished with it.
   */
  get(): Promise<string | undefined> {
    if (this.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` finished; if it was added again meanwhile, it is queued now. */
  done(key: string): void {
    const takenMs = this.processing.get(key);
    if (takenMs === undefined) return;
    this.processing.delete(key);
    this.metrics.workDuration((this.clock.nowMs() - takenMs) / 1000);
    if (this.dirty.has(key)) {
      this.ready.push(key);
      this.serve();
    }
    if (this.processing.size === 0)
      this.idleWaiters.splice(0).forEach((resolve) => {
        resolve();
      });
  }

  /**
   * Stops the queue: new adds are ignored and delayed adds are dropped; keys already queued are
   * still handed out, then `get` resolves undefined. Resolves once every key being processed is done.
   */
  shutDown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) this.clock.clearTimer(timer);
    this.delayed.clear();
    this.waiters.splice(0).forEach((resolve) => {
      resolve(undefined);
    });
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private take(): string {
    const key = this.ready[this.head] as string;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
    const now = this.clock.nowMs();
    const addedMs = this.dirty.get(key) ?? now;
    this.dirty.delete(key);
    this.processing.set(key, now);
    this.metrics.queueDuration((now - addedMs) / 1000);
    this.metrics.depth(this.length);
    return key;
  }

  /** Hands ready keys to waiting workers and reports the depth left. */
  private serve(): void {
    while (this.length > 0) {
      const resolve = this.waiters.shift();
      if (resolve === undefined) break;
      resolve(this.take());
    }
    this.metrics.depth(this.length);
  }
}
