import type { Watch } from '@kubernetes/client-node';

import { statusCodeOf } from './errors.js';

/** How one watch connection ended, and the last resourceVersion it delivered. */
export type WatchOutcome =
  | { kind: 'idle'; resourceVersion: string; events: number }
  | { kind: 'gone'; resourceVersion: string; events: number }
  | { kind: 'closed'; resourceVersion: string; events: number }
  | { kind: 'error'; resourceVersion: string; events: number; error: unknown };

/** Options of {@link runWatch}. */
export interface RunWatchOptions {
  watch: Watch;
  /** API path of the collection, e.g. `/apis/g/v/namespaces/ns/tasks`. */
  path: string;
  /** Query parameters; `resourceVersion` is where the watch resumes. */
  query: { resourceVersion: string } & Record<string, string | number | boolean>;
  /** End the watch as `idle` when nothing arrived for this long, in ms. */
  idleMs: number;
  /** Every ADDED, MODIFIED and DELETED object, in order. */
  onEvent(type: string, obj: unknown): void;
}

/** An error event inside a watch stream, carrying the server's Status. */
export class WatchStreamError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'WatchStreamError';
  }
}

interface StatusLike {
  code?: unknown;
  message?: unknown;
}

/**
 * Runs one watch connection until it ends, is aborted, or stays silent for `idleMs`. The outcome
 * settles exactly once; anything the connection does after that is ignored. `abort()` ends it as
 * `closed`.
 */
export function runWatch(options: RunWatchOptions): {
  outcome: Promise<WatchOutcome>;
  abort: () => void;
} {
  let resourceVersion = options.query.resourceVersion;
  let events = 0;
  let settled = false;
  let controller: AbortController | undefined;
  let settle: (o: WatchOutcome) => void = () => undefined;

  const outcome = new Promise<WatchOutcome>((resolve) => {
    settle = resolve;
  });

  const finish = (make: (rv: string, n: number) => WatchOutcome): void => {
    if (settled) return;
    settled = true;
    clearTimeout(watchdog);
    // The request may still be connecting; it is aborted as soon as its controller exists.
    controller?.abort();
    settle(make(resourceVersion, events));
  };

  // Armed before the request starts, so a server that never answers the request is caught too.
  const watchdog = setTimeout(() => {
    finish((rv, n) => ({ kind: 'idle', resourceVersion: rv, events: n }));
  }, options.idleMs);

  const onLine = (type: string, obj: unknown): void => {
    if (settled) return;
    watchdog.refresh();
    events += 1;
    if (type === 'ERROR') {
      const status = (obj ?? {}) as StatusLike;
      const code = typeof status.code === 'number' ? status.code : undefined;
      const message = typeof status.message === 'string' ? status.message : 'watch error';
      if (code === 410) finish((rv, n) => ({ kind: 'gone', resourceVersion: rv, events: n }));
      else {
        const error = new WatchStreamError(code, message);
        finish((rv, n) => ({ kind: 'error', resourceVersion: rv, events: n, error }));
      }
      return;
    }
    const rv = (obj as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata
      ?.resourceVersion;
    if (typeof rv === 'string' && rv !== '') resourceVersion = rv;
    if (type === 'BOOKMARK') return;
    options.onEvent(type, obj);
  };

  const onDone = (err: unknown): void => {
    if (err === null || err === undefined) {
      finish((rv, n) => ({ kind: 'closed', resourceVersion: rv, events: n }));
    } else if (statusCodeOf(err) === 410) {
      finish((rv, n) => ({ kind: 'gone', resourceVersion: rv, events: n }));
    } else {
      finish((rv, n) => ({ kind: 'error', resourceVersion: rv, events: n, error: err }));
    }
  };

  options.watch.watch(options.path, options.query, onLine, onDone).then(
    (c) => {
      controller = c;
      if (settled) c.abort();
    },
    (err: unknown) => {
      onDone(err ?? new Error('watch failed'));
    },
  );

  return {
    outcome,
    abort: () => {
      finish((rv, n) => ({ kind: 'closed', resourceVersion: rv, events: n }));
    },
  };
}
