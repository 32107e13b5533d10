import { compareRoom } from './room.js';
import type { MutableRoom } from './room.js';
import type { AgentSpec } from './types.js';

/**
 * One agent inside the heap. Besides its own room it carries the maxima of its subtree, so a
 * search can skip a whole subtree that cannot hold a task: the heap order alone is lexicographic
 * (slots first) and says nothing about, say, the cpu of a node's descendants.
 */
export interface HeapEntry {
  readonly spec: AgentSpec;
  readonly free: MutableRoom;
  /** Renewed whenever `free` changes; the tie-break (older first). */
  stamp: number;
  /** Bit per executor this agent runs (see `ExecutorBits`). */
  readonly executorMask: number;
  /** Index in the heap array; -1 once removed. */
  pos: number;
  // Subtree maxima (this entry and all its descendants).
  maxSlots: number;
  maxCpu: number;
  maxMemory: number;
  maxQueue: number;
  maxCapCpu: number;
  maxCapMemory: number;
  maxCapSlots: number;
  anyExecutors: number;
}

/** Whether `a` ranks before `b` in the heap order. */
function before(a: HeapEntry, b: HeapEntry): boolean {
  return compareRoom(a.free, a.stamp, b.free, b.stamp) < 0;
}

/**
 * An array-backed binary max-heap of agents on free room (see `compareRoom`), with each entry
 * knowing its own position so update and remove by entry cost O(log n). Every change also
 * refreshes the subtree maxima on the path to the root, still O(log n).
 */
export class AgentHeap {
  private readonly items: HeapEntry[] = [];
  /** Scratch space for `findBest`, kept to avoid an allocation per pick. */
  private readonly frontier: HeapEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The agent with the most free room, or undefined when empty. O(1). */
  top(): HeapEntry | undefined {
    return this.items[0];
  }

  /** All entries in heap-array order (not sorted). */
  entries(): readonly HeapEntry[] {
    return this.items;
  }

  insert(entry: HeapEntry): void {
    entry.pos = this.items.length;
    this.items.push(entry);
    // Sifting up moves ancestors down into the path below, so refresh from the leaf.
    const leaf = entry.pos;
    this.siftUp(leaf);
    this.refreshFrom(leaf);
  }

  /** Restores order after the caller changed `entry.free` or `entry.stamp`. */
  update(entry: HeapEntry): void {
    const start = entry.pos;
    const up = this.siftUp(start);
    if (up !== start) {
      this.refreshFrom(start);
      return;
    }
    this.refreshFrom(this.siftDown(start));
  }

  remove(entry: HeapEntry): void {
    const pos = entry.pos;
    const last = this.items.pop();
    entry.pos = -1;
    if (last === undefined || last === entry) {
      // The removed entry was the last element; its parent lost a child.
      if (pos > 0) this.refreshFrom((pos - 1) >> 1);
      return;
    }
    const oldLastParent = (this.items.length - 1) >> 1;
    this.items[pos] = last;
    last.pos = pos;
    if (this.items.length > 0) this.refreshFrom(oldLastParent);
    this.update(last);
  }

  /**
   * The best-ranked entry that `accept` takes, or undefined. `mayContain(e)` must return false
   * only when no entry in e's subtree could be accepted (judged from the subtree maxima).
   *
   * Best-first search: candidates are explored in heap order from a small frontier, and the
   * first accepted one is the answer, because every entry still unexplored sits below some
   * frontier entry that ranks lower. When the top is accepted this is O(1). Otherwise it costs
   * O(m log m) where m counts the rejected entries that rank above the answer and whose subtrees
   * were not pruned; the worst case (nearly every agent rejected for a reason the maxima cannot
   * see, such as a label) visits them all.
   */
  findBest(
    accept: (e: HeapEntry) => boolean,
    mayContain: (e: HeapEntry) => boolean,
  ): HeapEntry | undefined {
    const root = this.items[0];
    if (root === undefined) return undefined;
    if (accept(root)) return root;
    const frontier = this.frontier;
    frontier.length = 0;
    this.pushChildren(root, mayContain);
    while (frontier.length > 0) {
      const best = this.popFrontier();
      if (accept(best)) {
        frontier.length = 0;
        return best;
      }
      this.pushChildren(best, mayContain);
    }
    return undefined;
  }

  /**
   * Checks the heap order, every entry's position and every subtree maximum; throws an Error
   * naming the first violation. O(n): for tests and debugging only.
   */
  verify(): void {
    const items = this.items;
    for (let i = items.length - 1; i >= 0; i--) {
      const e = items[i] as HeapEntry;
      if (e.pos !== i) throw new Error(`heap: entry ${e.spec.id} at ${i} records pos ${e.pos}`);
      if (i > 0 && before(e, items[(i - 1) >> 1] as HeapEntry)) {
        throw new Error(`heap: entry ${e.spec.id} at ${i} ranks before its parent`);
      }
      const expected = { ...e };
      expected.maxSlots = e.free.slots;
      expected.maxCpu = e.free.cpuMillis;
      expected.maxMemory = e.free.memoryBytes;
      expected.maxQueue = e.free.queue;
      expected.maxCapCpu = e.spec.capacity.cpuMillis;
      expected.maxCapMemory = e.spec.capacity.memoryBytes;
      expected.maxCapSlots = e.spec.capacity.slots;
      expected.anyExecutors = e.executorMask;
      for (const c of [items[2 * i + 1], items[2 * i + 2]])
        if (c !== undefined) absorb(expected, c);
      for (const key of MAXIMA) {
        if (expected[key] !== e[key]) {
          throw new Error(
            `heap: entry ${e.spec.id} at ${i} has ${key} ${e[key]}, expected ${expected[key]}`,
          );
        }
      }
    }
  }

  private pushChildren(parent: HeapEntry, mayContain: (e: HeapEntry) => boolean): void {
    const left = 2 * parent.pos + 1;
    for (let i = left; i <= left + 1 && i < this.items.length; i++) {
      const child = this.items[i];
      if (child !== undefined && mayContain(child)) this.pushFrontier(child);
    }
  }

  private pushFrontier(e: HeapEntry): void {
    const f = this.frontier;
    let i = f.length;
    f.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = f[p] as HeapEntry;
      if (!before(e, parent)) break;
      f[i] = parent;
      i = p;
    }
    f[i] = e;
  }

  private popFrontier(): HeapEntry {
    const f = this.frontier;
    const top = f[0] as HeapEntry;
    const last = f.pop() as HeapEntry;
    const n = f.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(f[r] as HeapEntry, f[l] as HeapEntry)) c = r;
      const child = f[c] as HeapEntry;
      if (!before(child, last)) break;
      f[i] = child;
      i = c;
    }
    f[i] = last;
    return top;
  }

  private place(e: HeapEntry, pos: number): void {
    this.items[pos] = e;
    e.pos = pos;
  }

  /** Returns the final position. */
  private siftUp(pos: number): number {
    const items = this.items;
    const e = items[pos] as HeapEntry;
    while (pos > 0) {
      const p = (pos - 1) >> 1;
      const parent = items[p] as HeapEntry;
      if (!before(e, parent)) break;
      this.place(parent, pos);
      pos = p;
    }
    this.place(e, pos);
    return pos;
  }

  /** Returns the final position. */
  private siftDown(pos: number): number {
    const items = this.items;
    const n = items.length;
    const e = items[pos] as HeapEntry;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(items[r] as HeapEntry, items[l] as HeapEntry)) c = r;
      const child = items[c] as HeapEntry;
      if (!before(child, e)) break;
      this.place(child, pos);
      pos = c;
    }
    this.place(e, pos);
    return pos;
  }

  /** Recomputes subtree maxima from `pos` up to the root. */
  private refreshFrom(pos: number): void {
    const items = this.items;
    for (let i = pos; i >= 0; i = i === 0 ? -1 : (i - 1) >> 1) {
      const e = items[i];
      if (e === undefined) continue;
      const cap = e.spec.capacity;
      e.maxSlots = e.free.slots;
      e.maxCpu = e.free.cpuMillis;
      e.maxMemory = e.free.memoryBytes;
      e.maxQueue = e.free.queue;
      e.maxCapCpu = cap.cpuMillis;
      e.maxCapMemory = cap.memoryBytes;
      e.maxCapSlots = cap.slots;
      e.anyExecutors = e.executorMask;
      const l = items[2 * i + 1];
      if (l !== undefined) absorb(e, l);
      const r = items[2 * i + 2];
      if (r !== undefined) absorb(e, r);
    }
  }
}

const MAXIMA = [
  'maxSlots',
  'maxCpu',
  'maxMemory',
  'maxQueue',
  'maxCapCpu',
  'maxCapMemory',
  'maxCapSlots',
  'anyExecutors',
] as const;

function absorb(into: HeapEntry, child: HeapEntry): void {
  if (child.maxSlots > into.maxSlots) into.maxSlots = child.maxSlots;
  if (child.maxCpu > into.maxCpu) into.maxCpu = child.maxCpu;
  if (child.maxMemory > into.maxMemory) into.maxMemory = child.maxMemory;
  if (child.maxQueue > into.maxQueue) into.maxQueue = child.maxQueue;
  if (child.maxCapCpu > into.maxCapCpu) into.maxCapCpu = child.maxCapCpu;
  if (child.maxCapMemory > into.maxCapMemory) into.maxCapMemory = child.maxCapMemory;
  if (child.maxCapSlots > into.maxCapSlots) into.maxCapSlots = child.maxCapSlots;
  into.anyExecutors |= child.anyExecutors;
}
