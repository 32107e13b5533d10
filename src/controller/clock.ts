/** An opaque timer handle from a `Clock`. */
export type TimerHandle = unknown;

/**
 * Time as the controller's pure parts see it, passed in so tests can drive it by hand.
 * `nowMs` is monotonic (never jumps with the wall clock).
 */
export interface Clock {
  /** Milliseconds on a monotonic scale with an arbitrary origin. */
  nowMs(): number;
  /** Runs `fn` once after `delayMs` milliseconds. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and the runtime's timers. */
export const systemClock: Clock = {
  nowMs: () => performance.now(),
  setTimer: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimer: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
