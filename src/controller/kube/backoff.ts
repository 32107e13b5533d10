/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** First delay in ms. Default 200. */
  initialMs?: number;
  /** Largest delay in ms. Default 30000. */
  maxMs?: number;
  /** Growth per failure. Default 2. */
  factor?: number;
  /**
   * Fraction of the delay drawn at random and subtracted, 0 to 1. Default 0.2. Spreads replicas
   * that failed together so they do not retry in lockstep.
   */
  jitter?: number;
}

/** Capped exponential backoff with jitter; one instance per retrying loop. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 200;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.2;
  }

  /** The delay in ms before the next attempt; each call counts one more failure. */
  next(): number {
    const raw = Math.min(this.maxMs, this.initialMs * this.factor ** this.failures);
    this.failures += 1;
    return Math.round(raw * (1 - this.jitter * Math.random()));
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
