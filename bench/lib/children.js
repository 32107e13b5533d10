// Child processes of the benchmarks (scripts in bench/children/), and the IPC exchanges with them.
import { clearTimeout, setTimeout } from 'node:timers';
import { URL } from 'node:url';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { runTaskWith } from '../../dist/protocol/index.js';

/** Forks bench/children/`name` with `--expose-gc`, so that it can report RSS after a collection. */
export function child(name, args = []) {
  return fork(new URL(`../children/${name}`, import.meta.url), args, {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends a message (unless undefined) and waits for the next reply that has `key`. */
export async function ask(proc, msg, key) {
  const reply = new Promise((resolve, reject) => {
    const on = (m) => {
      if (!(key in m)) return;
      proc.off('message', on);
      proc.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code) =>
      reject(new Error(`child exited with ${code} while waiting for "${key}"`));
    proc.on('message', on);
    proc.once('exit', onExit);
  });
  if (msg !== undefined) proc.send(msg);
  return reply;
}

/** Asks a child to stop and waits for its exit; SIGKILL after 10 s. */
export async function stopChild(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.send({ cmd: 'stop' });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A RUNTASK of `true` with the given uid, as the agent benchmarks send it. */
export function trueTask(uid) {
  return runTaskWith({ uid, command: 'true' });
}

/**
 * Follows a stub principal's `{ finished }` messages. `atLeast(n, timeoutMs)` resolves once n
 * final reports have come, and rejects after `timeoutMs` (default: never); `count` is the number
 * so far.
 */
export function finishedCounter(principal) {
  let count = 0;
  const waiters = new Set();
  principal.on('message', (m) => {
    if (!('finished' in m)) return;
    count = m.finished;
    for (const w of waiters) if (count >= w.n) w.done();
  });
  return {
    get count() {
      return count;
    },
    atLeast(n, timeoutMs = Infinity) {
      if (count >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = {
          n,
          done: () => {
            clearTimeout(timer);
            waiters.delete(w);
            resolve();
          },
        };
        const timer = Number.isFinite(timeoutMs)
          ? setTimeout(() => {
              waiters.delete(w);
              reject(new Error(`${count} of ${n} Tasks finished within ${timeoutMs} ms`));
            }, timeoutMs)
          : undefined;
        waiters.add(w);
      });
    },
  };
}
