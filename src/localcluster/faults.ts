import { ApiError, reasonForCode } from './status.js';
import type { StatusBody } from './status.js';

/** The Kubernetes verbs a request maps to. */
export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** Which calls a fault applies to; an omitted field matches anything. */
export interface FaultMatch {
  verb?: Verb;
  /** The plural resource name, e.g. `tasks`. */
  resource?: string;
  /** `status` for the status subresource only, `''` for the main resource only. */
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** Fail the next `count` matching calls with an HTTP code and a proper Status body. */
export interface FailRule extends FaultMatch {
  /** HTTP status code, e.g. 409, 429, 500. */
  code: number;
  /** How many calls fail; default 1. */
  count?: number;
  message?: string;
  /** Sent as `Retry-After` and in the Status details; useful with 429. */
  retryAfterSeconds?: number;
}

/** Delay matching calls before they are served. */
export interface DelayRule extends FaultMatch {
  /** Milliseconds to wait before serving. */
  ms: number;
  /** How many calls to delay; default every call until cleared. */
  count?: number;
}

/** What a fault does to one open watch. */
export interface WatchControl {
  group: string;
  resource: string;
  namespace: string;
  /** Stops sending events; the connection stays open. */
  stall(): void;
  /** Ends the response without an error event. */
  drop(): void;
  /** Sends an ERROR event with this Status and ends the response, as the API server does. */
  sendError(status: StatusBody): void;
}

/** Which open watches a watch fault applies to; omitted fields match anything. */
export interface WatchMatch {
  resource?: string;
  group?: string;
  namespace?: string;
}

interface Call {
  verb: Verb;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

function matches(m: FaultMatch, c: Call): boolean {
  return (
    (m.verb === undefined || m.verb === c.verb) &&
    (m.resource === undefined || m.resource === c.resource) &&
    (m.subresource === undefined || m.subresource === c.subresource) &&
    (m.namespace === undefined || m.namespace === c.namespace) &&
    (m.name === undefined || m.name === c.name)
  );
}

/**
 * Fault injection for tests: delays, failures of the next N calls, and stalled, dropped or
 * failed watches. Rules are checked in the order they were added; the first failing rule wins.
 */
export class Faults {
  private fails: (FailRule & { left: number })[] = [];
  private delays: (DelayRule & { left: number })[] = [];
  private readonly watches = new Set<WatchControl>();

  /** Fails the next `count` (default 1) calls that match, with `code`. */
  failNext(rule: FailRule): void {
    if (!Number.isInteger(rule.code) || rule.code < 400 || rule.code > 599) {
      throw new RangeError(`code: expected an HTTP error code 400-599, got ${rule.code}`);
    }
    this.fails.push({ ...rule, left: rule.count ?? 1 });
  }

  /** Delays matching calls by `ms` milliseconds, `count` times (default until cleared). */
  delay(rule: DelayRule): void {
    if (!(rule.ms >= 0)) throw new RangeError(`ms: expected a non-negative number, got ${rule.ms}`);
    this.delays.push({ ...rule, left: rule.count ?? Number.POSITIVE_INFINITY });
  }

  /** Removes every pending failure and delay (open watches are left alone). */
  clear(): void {
    this.fails = [];
    this.delays = [];
  }

  /** Open watches that match; returns how many were stalled. */
  stallWatches(m: WatchMatch = {}): number {
    return this.eachWatch(m, (w) => {
      w.stall();
    });
  }

  /** Closes matching open watches; returns how many. */
  dropWatches(m: WatchMatch = {}): number {
    return this.eachWatch(m, (w) => {
      w.drop();
    });
  }

  /** Sends an ERROR event (default 410 Expired) into matching open watches; returns how many. */
  sendWatchError(m: WatchMatch = {}, code = 410, message?: string): number {
    const err = new ApiError(code, reasonForCode(code), message ?? `injected error ${code}`);
    return this.eachWatch(m, (w) => {
      w.sendError(err.toStatus());
    });
  }

  /** How many watches are open now (matching `m`). */
  openWatches(m: WatchMatch = {}): number {
    return this.eachWatch(m, () => undefined);
  }

  private eachWatch(m: WatchMatch, fn: (w: WatchControl) => void): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (m.resource !== undefined && m.resource !== w.resource) continue;
      if (m.group !== undefined && m.group !== w.group) continue;
      if (m.namespace !== undefined && m.namespace !== w.namespace) continue;
      fn(w);
      n++;
    }
    return n;
  }

  /** @internal Tracks an open watch until the returned function is called. */
  trackWatch(w: WatchControl): () => void {
    this.watches.add(w);
    return () => this.watches.delete(w);
  }

  /** @internal The delay and the injected failure, if any, for one call. */
  check(call: Call): { delayMs: number; error?: ApiError } {
    let delayMs = 0;
    for (const d of this.delays) {
      if (d.left > 0 && matches(d, call)) {
        d.left -= 1;
        delayMs += d.ms;
      }
    }
    this.delays = this.delays.filter((d) => d.left > 0);
    const f = this.fails.find((r) => r.left > 0 && matches(r, call));
    if (f === undefined) return { delayMs };
    f.left -= 1;
    this.fails = this.fails.filter((r) => r.left > 0);
    const details: ApiError['details'] = { name: call.name, kind: call.resource };
    if (f.retryAfterSeconds !== undefined) details.retryAfterSeconds = f.retryAfterSeconds;
    const message = f.message ?? `injected failure ${f.code} on ${call.verb} ${call.resource}`;
    return { delayMs, error: new ApiError(f.code, reasonForCode(f.code), message, details) };
  }
}
