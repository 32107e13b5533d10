type Obj = Record<string, unknown>;

/** A change to one object, as a watch reports it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  storageKey: string;
  namespace: string;
  /** The object after the change (for DELETED, its last state with the deletion's version). */
  object: Obj;
  /** For MODIFIED, the object before the change (watches with selectors need it). */
  previous?: Obj;
}

/** Asked for a resourceVersion older than the kept history; the caller answers 410. */
export class ResourceVersionTooOldError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.name = 'ResourceVersionTooOldError';
  }
}

/** Options for {@link Store}. */
export interface StoreOptions {
  /** How many events the watch history keeps for resuming; default 10000. */
  historySize?: number;
}

function meta(obj: Obj): Obj {
  return obj.metadata as Obj;
}

/** Store key of an object within its resource: `namespace/name`, or `/name` when cluster-scoped. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * The object store: every object of every resource, one global resourceVersion counter and a
 * bounded history of changes for watch resume. Stored objects are never mutated after they are
 * written (callers clone before changing), so reads hand them out without copying.
 */
export class Store {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private readonly history: (StoreEvent | undefined)[];
  private head = 0;
  private size = 0;
  /** Events at or below this version are no longer in history. */
  private compactedRv = 1;
  private readonly watchers = new Map<string, Set<(e: StoreEvent) => void>>();

  constructor(options: StoreOptions = {}) {
    const n = options.historySize ?? 10000;
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`historySize: expected a positive integer, got ${n}`);
    }
    this.history = new Array<StoreEvent | undefined>(n);
  }

  /** The latest resourceVersion handed out. */
  get currentRv(): number {
    return this.rv;
  }

  /** Takes the next resourceVersion (for lists and bookmarks, read `currentRv` instead). */
  private nextRv(): number {
    this.rv += 1;
    return this.rv;
  }

  private bucket(storageKey: string): Map<string, Obj> {
    let b = this.objects.get(storageKey);
    if (b === undefined) {
      b = new Map();
      this.objects.set(storageKey, b);
    }
    return b;
  }

  get(storageKey: string, namespace: string, name: string): Obj | undefined {
    return this.objects.get(storageKey)?.get(objectKey(namespace, name));
  }

  /** Objects of a resource, in one namespace or all (`undefined`), ordered by namespace/name. */
  list(storageKey: string, namespace?: string): Obj[] {
    const b = this.objects.get(storageKey);
    if (b === undefined) return [];
    const out: [string, Obj][] = [];
    for (const [k, o] of b) {
      if (namespace === undefined || (meta(o).namespace ?? '') === namespace) out.push([k, o]);
    }
    out.sort((a, c) => (a[0] < c[0] ? -1 : a[0] > c[0] ? 1 : 0));
    return out.map(([, o]) => o);
  }

  /** Writes an object (new or replacing), stamping the next resourceVersion. */
  put(storageKey: string, obj: Obj): Obj {
    const m = meta(obj);
    const ns = typeof m.namespace === 'string' ? m.namespace : '';
    const key = objectKey(ns, String(m.name));
    const b = this.bucket(storageKey);
    const previous = b.get(key);
    const rv = this.nextRv();
    m.resourceVersion = String(rv);
    b.set(key, obj);
    if (previous === undefined)
      this.record({ type: 'ADDED', rv, storageKey, namespace: ns, object: obj });
    else this.record({ type: 'MODIFIED', rv, storageKey, namespace: ns, object: obj, previous });
    return obj;
  }

  /** Removes an object; the DELETED event carries `last` with a fresh resourceVersion. */
  remove(storageKey: string, last: Obj): Obj {
    const m = meta(last);
    const ns = typeof m.namespace === 'string' ? m.namespace : '';
    this.objects.get(storageKey)?.delete(objectKey(ns, String(m.name)));
    const rv = this.nextRv();
    m.resourceVersion = String(rv);
    this.record({ type: 'DELETED', rv, storageKey, namespace: ns, object: last });
    return last;
  }

  private record(e: StoreEvent): void {
    const cap = this.history.length;
    if (this.size === cap) {
      const dropped = this.history[this.head];
      if (dropped !== undefined) this.compactedRv = dropped.rv;
      this.history[this.head] = e;
      this.head = (this.head + 1) % cap;
    } else {
      this.history[(this.head + this.size) % cap] = e;
      this.size += 1;
    }
    const ws = this.watchers.get(e.storageKey);
    if (ws !== undefined) for (const w of [...ws]) w(e);
  }

  /**
   * Events of one resource after `rv`, oldest first. Throws ResourceVersionTooOldError when
   * events after `rv` may have been dropped from the history window.
   */
  eventsSince(storageKey: string, rv: number): StoreEvent[] {
    if (rv < this.compactedRv) throw new ResourceVersionTooOldError(rv, this.compactedRv);
    const out: StoreEvent[] = [];
    const cap = this.history.length;
    for (let i = 0; i < this.size; i++) {
      const e = this.history[(this.head + i) % cap];
      if (e !== undefined && e.rv > rv && e.storageKey === storageKey) out.push(e);
    }
    return out;
  }

  /** Forgets the whole history, so any resume from an older version gets 410 (for tests). */
  compact(): void {
    this.history.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.compactedRv = this.rv;
  }

  /** Calls `fn` synchronously for every later change of a resource; returns the unsubscribe. */
  subscribe(storageKey: string, fn: (e: StoreEvent) => void): () => void {
    let ws = this.watchers.get(storageKey);
    if (ws === undefined) {
      ws = new Set();
      this.watchers.set(storageKey, ws);
    }
    ws.add(fn);
    return () => ws.delete(fn);
  }
}
