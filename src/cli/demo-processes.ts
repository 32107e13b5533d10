import { readFileSync, readdirSync } from 'node:fs';

/** A live child process of this one. */
export interface ChildInfo {
  readonly pid: number;
  /** The program name as the kernel reports it (at most 15 characters). */
  readonly command: string;
}

/**
 * The live (not zombie) direct children of process `parent`, read from /proc. The demo calls it
 * after stopping everything to prove nothing was left behind: an agent that failed to kill a
 * task's process group would show up here. Returns undefined where /proc is not available
 * (macOS), so the check is skipped there rather than guessed.
 */
export function liveChildren(parent: number = process.pid): ChildInfo[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const out: ChildInfo[] = [];
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // Format: pid (comm) state ppid ...; comm may hold spaces and parentheses, so split at the
    // last closing parenthesis.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) !== parent || state === 'Z') continue;
    out.push({ pid: Number(entry), command: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return out;
}
