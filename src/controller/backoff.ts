/** Options for exponential backoff. */
export interface BackoffOptions {
  /** Delay after the first failure, in milliseconds. Default 5. */
  readonly baseDelayMs?: number;
  /** Upper bound on any delay, jitter included, in milliseconds. Default 300000 (5 minutes). */
  readonly maxDelayMs?: number;
  /**
   * Extra random delay as a fraction of the exponential delay, from 0 (none) to 1 (up to
   * double). Spreads retries of keys that failed together. Default 0.1.
   */
  readonly jitter?: number;
  /** Uniform random source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** Raised for backoff options out of range; names the field, expected and got. */
export class BackoffOptionsError extends Error {
  override readonly name = 'BackoffOptionsError';
}

interface ResolvedBackoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
  readonly random: () => number;
}

/** Fills in defaults and checks ranges. Throws BackoffOptionsError. */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = {
    baseDelayMs: options.baseDelayMs ?? 5,
    maxDelayMs: options.maxDelayMs ?? 300_000,
    jitter: options.jitter ?? 0.1,
    random: options.random ?? Math.random,
  };
  const check = (field: string, ok: boolean, expected: string, got: number): void => {
    if (!ok) throw new BackoffOptionsError(`${field}: expected ${expected}, got ${got}`);
  };
  const { baseDelayMs: base, maxDelayMs: max, jitter } = resolved;
  check('baseDelayMs', Number.isFinite(base) && base >= 0, 'a finite number >= 0', base);
  check('maxDelayMs', Number.isFinite(max) && max >= base, `a finite number >= ${base}`, max);
  check('jitter', jitter >= 0 && jitter <= 1, 'a number from 0 to 1', jitter);
  return resolved;
}

/**
 * The delay before retry number `failures` (0 for the first retry): base × 2^failures, plus up
 * to `jitter` of that at random, never more than maxDelayMs. In milliseconds.
 */
export function backoffDelayMs(failures: number, options: BackoffOptions = {}): number {
  const { baseDelayMs, maxDelayMs, jitter, random } = resolveBackoff(options);
  // 2^1024 overflows to Infinity, which Math.min caps anyway; cap the exponent to stay exact.
  const exponential = baseDelayMs * 2 ** Math.min(Math.max(0, failures), 60);
  return Math.min(maxDelayMs, exponential * (1 + jitter * random()));
}

/** Per-key failure counts with exponential backoff; the work queue's rate limiter. */
export class KeyedBackoff {
  private readonly options: ResolvedBackoff;
  private readonly failures = new Map<string, number>();

  constructor(options: BackoffOptions = {}) {
    this.options = resolveBackoff(options);
  }

  /** Counts one more failure for `key` and returns how long to wait before retrying it, in ms. */
  next(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return backoffDelayMs(n, this.options);
  }

  /** Failures counted for `key` since it was last forgotten. */
  count(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Clears `key`'s failures, after it succeeded or was deleted. */
  forget(key: string): void {
    this.failures.delete(key);
  }
}

/** Exponential backoff for one retrying loop (a watch, a write): it counts its own failures. */
export class Backoff {
  private readonly options: ResolvedBackoff;
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.options = resolveBackoff(options);
  }

  /** The delay in ms before the next attempt; each call counts one more failure. */
  next(): number {
    return backoffDelayMs(this.failures++, this.options);
  }

  /** Forgets past failures, after a success. */
  reset(): void {
    this.failures = 0;
  }
}

/** Waits `ms`, or less when `signal` aborts first (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
