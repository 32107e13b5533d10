import type { RunTask, TaskReason } from '../protocol/index.js';
import type { ExecResult, ExecutorOptions } from './executor.js';

/** From the agent to the launch helper, in arrays: one channel message carries a turn's commands. */
export type LaunchCommand =
  | {
      readonly kind: 'start';
      readonly id: number;
      readonly task: RunTask;
      readonly options: ExecutorOptions;
    }
  | { readonly kind: 'stop'; readonly id: number; readonly reason: TaskReason };

/** From the launch helper back to the agent, in arrays likewise; per id, `started` comes first. */
export type LaunchEvent =
  | { readonly kind: 'started'; readonly id: number; readonly pid: number | undefined }
  | { readonly kind: 'done'; readonly id: number; readonly result: ExecResult };
