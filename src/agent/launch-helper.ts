/**
 * Entry of the launch helper, a small Node process the agent forks once and talks to over its
 * IPC channel. It spawns and supervises every task, for two reasons:
 *
 * - Starting a process forks its parent. Forking the agent copies the page tables of its whole
 *   heap and makes its next writes fault, which stalls the loop that acknowledges RUNTASKs;
 *   forking this small process does not.
 * - When the agent dies, even by SIGKILL, its IPC channel closes; the helper then kills every
 *   task group it holds and exits, so no task outlives its agent.
 *
 * Children belong to this process's loop: their exit is only seen here, which is why supervision
 * lives here too, not just the spawn.
 */
import type { TaskReason } from '../protocol/index.js';
import { startFailedResult, startTask, type RunningTask } from './executor.js';
import { makeNicer } from './niceness.js';
import type { LaunchCommand, LaunchEvent } from './launch-messages.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('launch-helper must be forked with an IPC channel');

// How much nicer than the agent to run (argument 1, checked by the launcher). Every task forked
// from here inherits it, with no moment at the agent's priority. Only this thread, the one that
// forks, changes. Raising one's own niceness needs no privilege; should a sandbox refuse it
// anyway, tasks run at the agent's priority rather than not at all.
try {
  makeNicer(Number(process.argv[2] ?? '0'));
} catch (err) {
  process.stderr.write(`launch helper: niceness not changed: ${String(err)}\n`);
}

const handles = new Map<number, RunningTask>();
/** Ids being started: a stop for one of these is kept until its process exists. */
const starting = new Set<number>();
const earlyStops = new Map<number, TaskReason>();

/** Events of this turn, sent as one message: one channel write and one wake-up of the agent. */
let outbox: LaunchEvent[] = [];

function post(event: LaunchEvent): void {
  outbox.push(event);
  if (outbox.length === 1) setImmediate(flush);
}

function flush(): void {
  const events = outbox;
  outbox = [];
  // After a disconnect there is nobody to tell; the exit below ends what is left.
  if (process.connected) send?.(events);
}

async function launch(
  id: number,
  command: Extract<LaunchCommand, { kind: 'start' }>,
): Promise<void> {
  starting.add(id);
  let handle: RunningTask;
  try {
    handle = await startTask(command.task, command.options);
  } catch (err) {
    // startTask turns expected failures into results; anything else must still end the task.
    const message = `cannot start ${command.task.command}: ${String(err)}`;
    post({ kind: 'started', id, pid: undefined });
    post({ kind: 'done', id, result: startFailedResult(message) });
    return;
  } finally {
    starting.delete(id);
  }
  handles.set(id, handle);
  post({ kind: 'started', id, pid: handle.pid });
  const early = earlyStops.get(id);
  if (early !== undefined) {
    earlyStops.delete(id);
    handle.stop(early);
  }
  const result = await handle.done;
  handles.delete(id);
  post({ kind: 'done', id, result });
}

function take(command: LaunchCommand): void {
  if (command.kind === 'start') {
    void launch(command.id, command);
    return;
  }
  const handle = handles.get(command.id);
  if (handle) handle.stop(command.reason);
  else if (starting.has(command.id)) earlyStops.set(command.id, command.reason);
  // Otherwise the task already ended and its report is on its way.
}

process.on('message', (commands: LaunchCommand[]) => {
  for (const command of commands) take(command);
});

process.on('disconnect', () => {
  for (const handle of handles.values()) {
    if (handle.pid === undefined) continue;
    try {
      process.kill(-handle.pid, 'SIGKILL');
    } catch {
      // ESRCH: that group is already gone.
    }
  }
  process.exit(0);
});
