/**
 * Entry of the launch thread. `child_process.spawn` blocks its caller's event loop for about a
 * millisecond per process (fork and exec), so the agent spawns and supervises its tasks here, and
 * its own loop stays free to acknowledge RUNTASKs. Children belong to this thread's loop: their
 * exit is only seen here, which is why supervision lives here too, not just the spawn.
 */
import { parentPort } from 'node:worker_threads';
import type { TaskReason } from '../protocol/index.js';
import { startFailedResult, startTask, type RunningTask } from './executor.js';
import type { LaunchCommand, LaunchEvent } from './launch-messages.js';

const port = parentPort;
if (port === null) throw new Error('launch-thread must run as a worker thread');

const handles = new Map<number, RunningTask>();
/** Stops that came while the process was still being started. */
const earlyStops = new Map<number, TaskReason>();

function post(event: LaunchEvent): void {
  port?.postMessage(event);
}

async function launch(
  id: number,
  command: Extract<LaunchCommand, { kind: 'start' }>,
): Promise<void> {
  let handle: RunningTask;
  try {
    handle = await startTask(command.task, command.options);
  } catch (err) {
    // startTask turns expected failures into results; anything else must still end the task.
    const message = `cannot start ${command.task.command}: ${String(err)}`;
    post({ kind: 'started', id, pid: undefined });
    post({ kind: 'done', id, result: startFailedResult(message) });
    return;
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

port.on('message', (command: LaunchCommand) => {
  if (command.kind === 'start') {
    void launch(command.id, command);
    return;
  }
  const handle = handles.get(command.id);
  if (handle) handle.stop(command.reason);
  else earlyStops.set(command.id, command.reason);
});
