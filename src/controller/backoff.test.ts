import { BackoffOptionsError, KeyedBackoff, backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  const still = { random: () => 0 };

  it('doubles from the base delay with each failure', () => {
    const delays = [0, 1, 2, 3].map((n) => backoffDelayMs(n, { ...still, baseDelayMs: 10 }));
    expect(delays).toEqual([10, 20, 40, 80]);
  });

  it('never exceeds the cap, jitter included', () => {
    const opts = { baseDelayMs: 10, maxDelayMs: 1000, jitter: 1, random: () => 0.999 };
    expect(backoffDelayMs(6, opts)).toBe(1000);
    expect(backoffDelayMs(5_000, opts)).toBe(1000);
  });

  it('adds at most the jitter fraction of the delay', () => {
    expect(backoffDelayMs(2, { baseDelayMs: 100, jitter: 0.5, random: () => 0.5 })).toBe(500);
  });

  it.each([
    [{ baseDelayMs: -1 }, /baseDelayMs: expected a finite number >= 0, got -1/],
    [{ baseDelayMs: 10, maxDelayMs: 5 }, /maxDelayMs: expected a finite number >= 10, got 5/],
    [{ jitter: 2 }, /jitter: expected a number from 0 to 1, got 2/],
  ])('refuses %j, naming the field', (opts, message) => {
    expect(() => backoffDelayMs(0, opts)).toThrow(BackoffOptionsError);
    expect(() => backoffDelayMs(0, opts)).toThrow(message);
  });
});

describe('KeyedBackoff', () => {
  it('counts failures per key and starts over after forget', () => {
    const b = new KeyedBackoff({ baseDelayMs: 1, random: () => 0 });
    expect([b.next('a'), b.next('a'), b.next('b'), b.next('a')]).toEqual([1, 2, 1, 4]);
    expect(b.count('a')).toBe(3);
    b.forget('a');
    expect(b.count('a')).toBe(0);
    expect(b.next('a')).toBe(1);
  });
});
