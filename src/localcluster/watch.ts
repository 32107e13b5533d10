import type { ServerResponse } from 'node:http';
import type { ResourceCall } from './call.js';
import type { Faults, WatchControl } from './faults.js';
import type { Obj } from './object-util.js';
import { present } from './object-util.js';
import type { Reads, Selection } from './reads.js';
import { selectionOf, selects } from './reads.js';
import { apiVersionOf } from './resource-types.js';
import type { Store, StoreEvent } from './store.js';
import { ResourceVersionTooOldError } from './store.js';
import type { StatusBody } from './status.js';
import { ApiError, badRequest } from './status.js';
import type { IncludeObject } from './table.js';
import { parseIncludeObject, toTable, wantsTable } from './table.js';

/** Settings shared by every watch of one server. */
export interface WatchSettings {
  store: Store;
  reads: Reads;
  faults: Faults;
  /** How often BOOKMARK events go out when asked for, in milliseconds. */
  bookmarkIntervalMs: number;
  /** Open watches, so the server can end them on close. */
  open: Set<() => void>;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** The event a watch with selectors reports for a store change, if any. */
function visibleType(sel: Selection, e: StoreEvent, namespace: string): EventType | undefined {
  if (namespace !== '' && e.namespace !== namespace) return undefined;
  const now = selects(sel, e.object);
  if (e.type !== 'MODIFIED' || e.previous === undefined) return now ? e.type : undefined;
  const before = selects(sel, e.previous);
  if (before && now) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

function startRv(q: URLSearchParams): number | undefined {
  const raw = q.get('resourceVersion');
  if (raw === null || raw === '' || raw === '0') return undefined;
  if (!/^[0-9]+$/.test(raw))
    throw badRequest(`resourceVersion: Invalid value: "${raw}": must be a number`);
  return Number(raw);
}

/**
 * Serves `?watch=true` as a stream of JSON lines. Without a resourceVersion (or with "0") it
 * starts with ADDED events for what exists; with one it replays later changes from the history
 * window, or sends a 410 ERROR event and ends when that version is too old.
 */
export function serveWatch(
  call: ResourceCall,
  accept: string | undefined,
  res: ServerResponse,
  s: WatchSettings,
): void {
  const t = call.type;
  const sel = selectionOf(call);
  const rv = startRv(call.query);
  const table = wantsTable(accept);
  const include: IncludeObject = table
    ? parseIncludeObject(call.query.get('includeObject'))
    : 'Object';
  const timeoutRaw = call.query.get('timeoutSeconds');
  const timeoutSeconds = timeoutRaw === null || timeoutRaw === '' ? 0 : Number(timeoutRaw);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
    throw badRequest(`timeoutSeconds: expected a non-negative number, got "${timeoutRaw ?? ''}"`);
  }
  const namespace = t.namespaced ? call.namespace : '';

  let replay: { type: EventType; object: Obj }[];
  let tooOld: ResourceVersionTooOldError | undefined;
  if (rv === undefined) {
    replay = s.reads.selected(call).map((o) => ({ type: 'ADDED', object: o }));
  } else {
    try {
      replay = [];
      for (const e of s.store.eventsSince(t.storageKey, rv)) {
        const type = visibleType(sel, e, namespace);
        if (type !== undefined) replay.push({ type, object: e.object });
      }
    } catch (err) {
      if (!(err instanceof ResourceVersionTooOldError)) throw err;
      replay = [];
      tooOld = err;
    }
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let stalled = false;
  let ended = false;

  const write = (type: string, object: Obj): void => {
    if (stalled || ended) return;
    let shown = object;
    if (type !== 'ERROR' && type !== 'BOOKMARK') {
      shown = present(t, object);
      if (table)
        shown = toTable(t, [shown], include, {
          resourceVersion: String((object.metadata as Obj).resourceVersion),
        });
    }
    res.write(`${JSON.stringify({ type, object: shown })}\n`);
  };

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  let untrack: () => void = () => undefined;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    untrack();
    for (const tm of timers) clearTimeout(tm);
    s.open.delete(finish);
    if (!res.writableEnded) res.end();
  };
  const sendError = (status: StatusBody): void => {
    write('ERROR', status as unknown as Obj);
    finish();
  };

  if (tooOld !== undefined) {
    sendError(
      new ApiError(
        410,
        'Expired',
        `too old resource version: ${tooOld.requested} (${tooOld.oldest})`,
      ).toStatus(),
    );
    return;
  }
  for (const e of replay) write(e.type, e.object);
  unsubscribe = s.store.subscribe(t.storageKey, (e) => {
    const type = visibleType(sel, e, namespace);
    if (type !== undefined) write(type, e.object);
  });
  const control: WatchControl = {
    group: t.group,
    resource: t.plural,
    namespace,
    stall: () => {
      stalled = true;
    },
    drop: finish,
    sendError,
  };
  untrack = s.faults.trackWatch(control);
  s.open.add(finish);
  res.on('close', finish);
  if (call.query.get('allowWatchBookmarks') === 'true') {
    const bookmark = (): void => {
      write('BOOKMARK', {
        kind: t.kind,
        apiVersion: apiVersionOf(t.group, t.version),
        metadata: { resourceVersion: String(s.store.currentRv) },
      });
    };
    timers.push(setInterval(bookmark, s.bookmarkIntervalMs));
  }
  if (timeoutSeconds > 0) timers.push(setTimeout(finish, timeoutSeconds * 1000));
}
