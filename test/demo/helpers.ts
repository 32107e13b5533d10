import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** The repository root, where the Makefile is. */
export const ROOT = new URL('../../', import.meta.url).pathname;

/** A process known by pid and kernel start time, so a reused pid is not mistaken for it. */
export interface ProcId {
  readonly pid: number;
  readonly start: string;
  readonly command: string;
}

interface ProcStat extends ProcId {
  readonly ppid: number;
  readonly state: string;
}

function readStat(pid: string): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // After the command: state, ppid, ...; start time is field 22 of the whole line (index 19 here).
  return {
    pid: Number(pid),
    command: stat.slice(stat.indexOf('(') + 1, close),
    state: fields[0] ?? '',
    ppid: Number(fields[1]),
    start: fields[19] ?? '',
  };
}

function allStats(): ProcStat[] {
  return readdirSync('/proc')
    .filter((e) => /^[0-9]+$/.test(e))
    .map(readStat)
    .filter((s): s is ProcStat => s !== undefined);
}

/** Every live descendant of `root`, found by walking parent links in /proc. */
export function descendants(root: number): ProcId[] {
  const stats = allStats();
  const found = new Map<number, ProcStat>();
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const s of stats) {
      if (frontier.includes(s.ppid) && !found.has(s.pid)) {
        found.set(s.pid, s);
        next.push(s.pid);
      }
    }
    frontier = next;
  }
  return [...found.values()].map(({ pid, start, command }) => ({ pid, start, command }));
}

/** Those of `procs` still running (zombies count as gone: nothing runs in them). */
export function stillRunning(procs: Iterable<ProcId>): ProcId[] {
  return [...procs].filter((p) => {
    const now = readStat(String(p.pid));
    return now !== undefined && now.start === p.start && now.state !== 'Z';
  });
}

/** A `make` run in its own process group, as a terminal would start it. */
export interface MakeRun {
  readonly pid: number;
  output(): string;
  /** Resolves with the exit code (null when ended by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves once the output matches `pattern`; rejects if make ends first. */
  waitForOutput(pattern: RegExp): Promise<void>;
  /** Sends `sig` to the whole process group, as Ctrl-C in a terminal does. */
  signalGroup(sig: NodeJS.Signals): void;
  /** Every process seen below make so far (sampled every 100 ms while it runs). */
  seen(): ProcId[];
}

/**
 * Runs `make <target>` in the repository. `-o` keeps make from reinstalling dependencies with
 * `npm ci` when package.json is newer than its stamp: that deletes node_modules, which this very
 * test runner is loaded from. Everything else runs as `make <target>` does for a person.
 */
export function runMake(args: string[], env: NodeJS.ProcessEnv = process.env): MakeRun {
  const child = spawn('make', ['--no-print-directory', '-o', 'node_modules/.deps-stamp', ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('make did not start');
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const seen = new Map<number, ProcId>();
  const sample = (): void => {
    for (const p of descendants(pid)) seen.set(p.pid, p);
  };
  const sampler = setInterval(sample, 100);
  let closed = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      closed = true;
      clearInterval(sampler);
      for (const l of listeners) l();
      resolve(code);
    });
  });
  return {
    pid,
    output: () => out,
    exited,
    waitForOutput(pattern) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out)) {
            listeners.delete(check);
            resolve();
          } else if (closed) {
            listeners.delete(check);
            reject(new Error(`make ended before printing ${String(pattern)}:\n${out}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
    signalGroup(sig) {
      process.kill(-pid, sig);
    },
    seen() {
      sample();
      return [...seen.values()];
    },
  };
}

/** Polls until none of `procs` runs, for at most `limitMs`; returns those still running. */
export async function untilGone(procs: ProcId[], limitMs = 5000): Promise<ProcId[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const left = stillRunning(procs);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}
