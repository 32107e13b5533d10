import { Phases } from '../api/index.js';
import type { TaskObject } from '../controller/kube/index.js';
import { exampleKey } from './demo-examples.js';
import type { ExampleTask } from './demo-examples.js';

/** How many example Tasks are in each stage; a Task with no status yet counts as pending. */
export interface ProgressCounts {
  readonly done: number;
  readonly running: number;
  readonly waiting: number;
  readonly pending: number;
  readonly failed: number;
  readonly total: number;
}

/** Counts the examples by the phase of their observed Task (missing counts as pending). */
export function countProgress(
  examples: readonly ExampleTask[],
  observed: ReadonlyMap<string, TaskObject>,
): ProgressCounts {
  const counts = { done: 0, running: 0, waiting: 0, pending: 0, failed: 0 };
  for (const e of examples) {
    switch (observed.get(exampleKey(e.namespace, e.name))?.status?.phase) {
      case Phases.Complete:
        counts.done++;
        break;
      case Phases.Failed:
        counts.failed++;
        break;
      case Phases.Running:
        counts.running++;
        break;
      case Phases.Waiting:
        counts.waiting++;
        break;
      default:
        counts.pending++;
    }
  }
  return { ...counts, total: examples.length };
}

/** True once every example has ended, Complete or Failed. */
export const allEnded = (c: ProgressCounts): boolean => c.done + c.failed === c.total;

/** One progress line, e.g. `done 3  running 1  waiting 2  pending 0  failed 1  of 10  (4.2 s)`. */
export function formatProgress(c: ProgressCounts, elapsedMs: number): string {
  const n = (v: number): string => String(v).padStart(2);
  const seconds = (elapsedMs / 1000).toFixed(1).padStart(5);
  return (
    `done ${n(c.done)}  running ${n(c.running)}  waiting ${n(c.waiting)}  ` +
    `pending ${n(c.pending)}  failed ${n(c.failed)}  of ${c.total}  (${seconds} s)`
  );
}

/** Where progress goes: a terminal gets one line rewritten in place, anything else plain lines. */
export interface ProgressSink {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Shows progress counts. On a TTY the same line is redrawn on every update; elsewhere (a pipe,
 * a CI log) a line is printed only when the counts change, so logs stay short and readable.
 */
export class ProgressView {
  private last = '';
  private open = false;

  constructor(private readonly out: ProgressSink) {}

  /** Shows the counts; `elapsedMs` is the time since the examples were applied. */
  update(counts: ProgressCounts, elapsedMs: number): void {
    const line = formatProgress(counts, elapsedMs);
    if (this.out.isTTY === true) {
      // Carriage return, then erase to the end of the line: redraws without scrolling.
      this.out.write(`\r\x1b[K${line}`);
      this.open = true;
      return;
    }
    const key = line.replace(/\s*\(.*\)$/, '');
    if (key !== this.last) this.out.write(`${line}\n`);
    this.last = key;
  }

  /** Ends the redrawn line, so what follows starts on a fresh one. */
  finish(): void {
    if (this.open) this.out.write('\n');
    this.open = false;
  }
}
