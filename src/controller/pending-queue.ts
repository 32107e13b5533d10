/** A Task waiting for an agent. */
export interface PendingItem {
  /** `namespace/name`. */
  readonly key: string;
  /** Higher goes first. Default in the Task API is 0. */
  readonly priority: number;
  /** When the Task was created, in milliseconds since the epoch; older goes first. */
  readonly createdAtMs: number;
}

/** Whether `a` should be routed before `b`: priority desc, then age, then key for a total order. */
export function pendingBefore(a: PendingItem, b: PendingItem): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs < b.createdAtMs;
  return a.key < b.key;
}

/**
 * Tasks that no agent can take yet, ordered by priority (highest first), then creation time
 * (oldest first). An indexed binary heap: add, update and remove by key are O(log n), the head
 * is O(1).
 */
export class PendingQueue {
  private readonly items: PendingItem[] = [];
  private readonly positions = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.positions.has(key);
  }

  /** The next Task to route, or undefined. */
  peek(): PendingItem | undefined {
    return this.items[0];
  }

  /** Adds an item, or moves it when its key is already present (e.g. its priority changed). */
  upsert(item: PendingItem): void {
    const pos = this.positions.get(item.key);
    if (pos === undefined) {
      this.items.push(item);
      this.siftUp(this.items.length - 1);
      return;
    }
    this.items[pos] = item;
    this.siftDown(this.siftUp(pos));
  }

  /** Removes and returns the head, or undefined when empty. */
  pop(): PendingItem | undefined {
    const head = this.items[0];
    if (head !== undefined) this.remove(head.key);
    return head;
  }

  /** Removes a key (the Task was routed or deleted). Returns whether it was present. */
  remove(key: string): boolean {
    const pos = this.positions.get(key);
    if (pos === undefined) return false;
    this.positions.delete(key);
    const last = this.items.pop() as PendingItem;
    if (pos < this.items.length) {
      this.items[pos] = last;
      this.positions.set(last.key, pos);
      this.siftDown(this.siftUp(pos));
    }
    return true;
  }

  /** Every item in routing order. O(n log n); for scans that may skip a head that cannot fit. */
  ordered(): PendingItem[] {
    return [...this.items].sort((a, b) => (pendingBefore(a, b) ? -1 : 1));
  }

  private place(item: PendingItem, pos: number): void {
    this.items[pos] = item;
    this.positions.set(item.key, pos);
  }

  private siftUp(pos: number): number {
    const item = this.items[pos] as PendingItem;
    while (pos > 0) {
      const parentPos = (pos - 1) >> 1;
      const parent = this.items[parentPos] as PendingItem;
      if (!pendingBefore(item, parent)) break;
      this.place(parent, pos);
      pos = parentPos;
    }
    this.place(item, pos);
    return pos;
  }

  private siftDown(pos: number): number {
    const n = this.items.length;
    const item = this.items[pos] as PendingItem;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && pendingBefore(this.items[r] as PendingItem, this.items[l] as PendingItem)) c = r;
      const child = this.items[c] as PendingItem;
      if (!pendingBefore(child, item)) break;
      this.place(child, pos);
      pos = c;
    }
    this.place(item, pos);
    return pos;
  }
}
