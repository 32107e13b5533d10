/** Where a Task is in its life cycle. */
export type Phase = 'Pending' | 'Waiting' | 'Running' | 'Complete' | 'Failed';

/** Named phases, so code never spells them as bare strings. */
export const Phases = {
  /** Not yet on an agent: no agent fits, or none has room. */
  Pending: 'Pending',
  /** Accepted into an agent's queue while its slots are busy. */
  Waiting: 'Waiting',
  Running: 'Running',
  Complete: 'Complete',
  Failed: 'Failed',
} as const satisfies Record<Phase, Phase>;

/** Every phase, in life-cycle order. */
export const PHASES: readonly Phase[] = ['Pending', 'Waiting', 'Running', 'Complete', 'Failed'];

const RANK: Record<Phase, number> = { Pending: 0, Waiting: 1, Running: 2, Complete: 3, Failed: 3 };

/** Complete and Failed are final: nothing that arrives late may change them. */
export function isTerminal(phase: Phase | undefined): boolean {
  return phase === 'Complete' || phase === 'Failed';
}

/** Narrows a string read from an object to a phase. */
export function isPhase(value: unknown): value is Phase {
  return typeof value === 'string' && (PHASES as readonly string[]).includes(value);
}

/** Options for `canTransition`. */
export interface TransitionOptions {
  /**
   * The write starts a new attempt (a retry), which may send a Task back to Pending or Waiting.
   * Defaults to false.
   */
  newAttempt?: boolean;
}

/**
 * Whether a Task may move from `from` (undefined: no status yet) to `to`. Phases never go
 * backwards within an attempt, staying put is allowed, and terminal phases never change.
 */
export function canTransition(
  from: Phase | undefined,
  to: Phase,
  options: TransitionOptions = {},
): boolean {
  if (from === undefined) return true;
  if (isTerminal(from)) return from === to;
  if (options.newAttempt === true) return true;
  return RANK[to] >= RANK[from];
}
