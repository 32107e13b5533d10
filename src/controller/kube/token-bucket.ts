/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Most tokens held at once (the burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
}

/** A token bucket: allows bursts up to `capacity`, then `refillPerSecond` on average. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    this.now = options.now ?? (() => performance.now());
    this.tokens = options.capacity;
    this.last = this.now();
  }

  /** Takes one token if there is one; false means over the rate. */
  tryTake(): boolean {
    const now = this.now();
    const earned = ((now - this.last) / 1000) * this.options.refillPerSecond;
    this.tokens = Math.min(this.options.capacity, this.tokens + earned);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
