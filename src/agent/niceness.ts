import { getPriority, setPriority } from 'node:os';

/**
 * Tasks run this much nicer than the agent by default, so that tasks keeping the pod's CPU busy
 * still leave the agent a core to acknowledge RUNTASKs and send heartbeats at once; alone, a task
 * still gets all the CPU there is.
 */
export const DEFAULT_TASK_NICE = 10;

/** The highest (least favoured) niceness Linux has. */
export const MAX_NICE = 19;

/** `value` when it is an integer from 0 to MAX_NICE; else a RangeError naming `field`. */
export function checkNice(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_NICE) {
    throw new RangeError(`${field}: expected an integer from 0 to ${MAX_NICE}, got ${value}`);
  }
  return value;
}

/**
 * Makes `pid` (default: the calling thread) `by` nicer than this process is, capped at
 * MAX_NICE, so it never ends up ahead of the agent whatever niceness the agent started with.
 * Throws what setPriority throws (ESRCH when the process is gone).
 */
export function makeNicer(by: number, pid = 0): void {
  if (by === 0) return;
  setPriority(pid, Math.min(MAX_NICE, getPriority() + by));
}
