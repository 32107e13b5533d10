import { Backoff } from '../../../src/controller/backoff.js';
import { statusCodeOf, isTransient } from '../../../src/controller/kube/errors.js';
import { LeaseObserver } from '../../../src/controller/kube/lease-observer.js';
import { TokenBucket } from '../../../src/controller/kube/token-bucket.js';
import { V1Lease, V1LeaseSpec, V1ObjectMeta } from '@kubernetes/client-node';

function lease(holder: string | undefined, rv: string, renewMs: number): V1Lease {
  const l = new V1Lease();
  l.metadata = Object.assign(new V1ObjectMeta(), { resourceVersion: rv });
  l.spec = Object.assign(new V1LeaseSpec(), {
    holderIdentity: holder,
    renewTime: new Date(renewMs),
  });
  return l;
}

describe('Backoff', () => {
  it('doubles up to the cap and starts over after reset', () => {
    const b = new Backoff({ baseDelayMs: 100, maxDelayMs: 1000, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('never waits longer than the cap with jitter', () => {
    const b = new Backoff({ baseDelayMs: 100, maxDelayMs: 500, jitter: 0.5 });
    for (let i = 0; i < 50; i++) {
      const d = b.next();
      expect(d).toBeLessThanOrEqual(500);
      expect(d).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then refills at the given rate on the given clock', () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2, now: () => now });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now = 500;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    now = 100_000;
    let taken = 0;
    while (bucket.tryTake()) taken++;
    expect(taken).toBe(3);
  });
});

describe('LeaseObserver', () => {
  it('measures how long a lease looked the same on our clock, ignoring its timestamps', () => {
    let now = 1000;
    const observer = new LeaseObserver(() => now);
    // A renewTime far in the future (a skewed clock elsewhere) changes nothing.
    observer.observe(lease('other', '1', Date.now() + 3_600_000));
    now = 6000;
    expect(observer.observe(lease('other', '1', Date.now() + 3_600_000)).changed).toBe(false);
    expect(observer.unchangedForMs()).toBe(5000);
    now = 7000;
    expect(observer.observe(lease('other', '2', 0)).changed).toBe(true);
    expect(observer.unchangedForMs()).toBe(0);
    expect(observer.holder).toBe('other');
  });

  it('reports a holder change', () => {
    const observer = new LeaseObserver(() => 0);
    expect(observer.observe(lease('a', '1', 0)).holderChanged).toBe(true);
    expect(observer.observe(lease('a', '2', 0)).holderChanged).toBe(false);
    expect(observer.observe(lease(undefined, '3', 0)).holderChanged).toBe(true);
    expect(observer.holder).toBeUndefined();
  });
});

describe('statusCodeOf', () => {
  it('reads the code of API exceptions and watch errors, and none from socket errors', () => {
    expect(statusCodeOf({ code: 409 })).toBe(409);
    expect(statusCodeOf(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(410);
    expect(
      statusCodeOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    ).toBeUndefined();
    expect(isTransient({ code: 503 })).toBe(true);
    expect(isTransient({ code: 422 })).toBe(false);
    expect(isTransient(new Error('socket hang up'))).toBe(true);
  });
});
