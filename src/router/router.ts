import { AgentHeap } from './agent-heap.js';
import type { HeapEntry } from './agent-heap.js';
import { NoRoomError, UnknownAgentError } from './errors.js';
import { LabelIndex } from './label-index.js';
import { compareRoom, fitsCapacity, fitsNow, fitsQueue, sameRoom } from './room.js';
import { matchesSelector } from './selector.js';
import { checkDemand, checkFree, checkRoom } from './validate.js';
import type { AgentSpec, AgentView, PickResult, Reservation, Room, TaskDemand } from './types.js';

/** Options for `Router`. */
export interface RouterOptions {
  /**
   * When a selector's label narrows the agents to at most this many, scan them directly
   * instead of walking the heap. Default 256.
   */
  readonly indexScanMax?: number;
}

/** Executors past this many distinct names share one bit; the exact check still runs. */
const EXECUTOR_BITS = 30;

type Tier = 'now' | 'queue' | 'ever';

/**
 * The live agents, ordered by free room, and the choice of agent for each task. Pure and
 * synchronous: the caller feeds it registrations, heartbeats and reservations, and asks it to
 * pick. Every change is O(log n); a pick is O(1) when the agent with the most room fits.
 */
export class Router {
  private readonly heap = new AgentHeap();
  private readonly byId = new Map<string, HeapEntry>();
  private readonly labels = new LabelIndex<HeapEntry>();
  private readonly executorBits = new Map<string, number>();
  private readonly indexScanMax: number;
  private stampCounter = 0;

  constructor(options: RouterOptions = {}) {
    this.indexScanMax = options.indexScanMax ?? 256;
  }

  /** Number of live agents. */
  get size(): number {
    return this.heap.size;
  }

  has(agentId: string): boolean {
    return this.byId.has(agentId);
  }

  /** A snapshot of one agent, or undefined. */
  get(agentId: string): AgentView | undefined {
    const e = this.byId.get(agentId);
    return e === undefined ? undefined : view(e);
  }

  /** Snapshots of every live agent, in no particular order. */
  agents(): AgentView[] {
    return this.heap.entries().map(view);
  }

  /**
   * Adds an agent, or replaces the one with the same id. `free` defaults to the whole capacity.
   * Throws InvalidAgentError when a number is not a non-negative integer or free exceeds capacity.
   */
  register(spec: AgentSpec, free: Room = spec.capacity): void {
    checkRoom(`agent ${spec.id} capacity`, spec.capacity);
    checkFree(spec.id, spec.capacity, free);
    this.remove(spec.id);
    const entry: HeapEntry = {
      spec: {
        id: spec.id,
        capacity: { ...spec.capacity },
        executors: [...spec.executors],
        labels: { ...spec.labels },
      },
      free: { ...free },
      stamp: this.nextStamp(),
      executorMask: spec.executors.reduce((m, x) => m | this.bitFor(x), 0),
      pos: -1,
      maxSlots: 0,
      maxCpu: 0,
      maxMemory: 0,
      maxQueue: 0,
      maxCapCpu: 0,
      maxCapMemory: 0,
      maxCapSlots: 0,
      anyExecutors: 0,
    };
    this.byId.set(spec.id, entry);
    this.labels.add(entry, entry.spec.labels);
    this.heap.insert(entry);
  }

  /** Forgets an agent (gone, or missed its heartbeats). Returns whether it was known. */
  remove(agentId: string): boolean {
    const e = this.byId.get(agentId);
    if (e === undefined) return false;
    this.byId.delete(agentId);
    this.labels.delete(e, e.spec.labels);
    this.heap.remove(e);
    return true;
  }

  /**
   * Sets an agent's free room from its own report (heartbeat or state report). The report wins
   * over local bookkeeping, so a reservation made after the agent sent it is briefly forgotten;
   * the agent's bounded queue absorbs such an overcommit.
   */
  report(agentId: string, free: Room): void {
    const e = this.entry(agentId);
    checkFree(agentId, e.spec.capacity, free);
    this.setFree(e, free);
  }

  /**
   * The best agent for a task: among agents with the executor and labels the task asks for,
   * first those that can start it now, else those with a queue place (mode `queue`: the task
   * will be Waiting), best by `compareRoom`. Does not take the room; see `reserve`.
   */
  pick(demand: TaskDemand): PickResult {
    checkDemand(demand);
    const bit = this.executorBits.get(demand.executor);
    if (bit === undefined) return { kind: 'NoMatchingAgent' };
    const scan = this.indexedCandidates(demand);
    const find = (tier: Tier): HeapEntry | undefined =>
      scan === undefined ? this.walk(demand, bit, tier) : bestOf(scan, demand, tier);
    const now = find('now');
    if (now !== undefined) return { kind: 'picked', agent: view(now), mode: 'slot' };
    const queued = find('queue');
    if (queued !== undefined) return { kind: 'picked', agent: view(queued), mode: 'queue' };
    return find('ever') === undefined ? { kind: 'NoMatchingAgent' } : { kind: 'NoCapacity' };
  }

  /**
   * Takes room on an agent at dispatch time: a slot with the task's cpu and memory when it can
   * start now, else a queue place. Throws UnknownAgentError or NoRoomError.
   */
  reserve(agentId: string, demand: TaskDemand): Reservation {
    checkDemand(demand);
    const e = this.entry(agentId);
    const f = e.free;
    if (fitsNow(f, demand)) {
      this.setFree(e, {
        slots: f.slots - 1,
        cpuMillis: f.cpuMillis - demand.cpuMillis,
        memoryBytes: f.memoryBytes - demand.memoryBytes,
        queue: f.queue,
      });
      return {
        agentId,
        mode: 'slot',
        cpuMillis: demand.cpuMillis,
        memoryBytes: demand.memoryBytes,
      };
    }
    if (fitsQueue(f, e.spec.capacity, demand)) {
      this.setFree(e, { ...f, queue: f.queue - 1 });
      return { agentId, mode: 'queue', cpuMillis: 0, memoryBytes: 0 };
    }
    throw new NoRoomError(agentId);
  }

  /** `pick` then `reserve` on the picked agent. */
  pickAndReserve(demand: TaskDemand): { result: PickResult; reservation?: Reservation } {
    const result = this.pick(demand);
    if (result.kind !== 'picked') return { result };
    return { result, reservation: this.reserve(result.agent.id, demand) };
  }

  /**
   * Gives back what a reservation took, when the task's report arrives. Never raises free room
   * past capacity (a heartbeat may already have counted it); a gone agent is ignored.
   */
  release(reservation: Reservation): void {
    const e = this.byId.get(reservation.agentId);
    if (e === undefined) return;
    const f = e.free;
    const cap = e.spec.capacity;
    const slot = reservation.mode === 'slot';
    this.setFree(e, {
      slots: Math.min(cap.slots, f.slots + (slot ? 1 : 0)),
      cpuMillis: Math.min(cap.cpuMillis, f.cpuMillis + reservation.cpuMillis),
      memoryBytes: Math.min(cap.memoryBytes, f.memoryBytes + reservation.memoryBytes),
      queue: Math.min(cap.queue, f.queue + (slot ? 0 : 1)),
    });
  }

  /** Checks the heap's internal invariants; throws on the first violation. O(n), for tests. */
  verifyInvariants(): void {
    this.heap.verify();
    if (this.byId.size !== this.heap.size) {
      throw new Error(`router: ${this.byId.size} ids but ${this.heap.size} heap entries`);
    }
  }

  private entry(agentId: string): HeapEntry {
    const e = this.byId.get(agentId);
    if (e === undefined) throw new UnknownAgentError(agentId);
    return e;
  }

  private setFree(e: HeapEntry, free: Room): void {
    if (sameRoom(e.free, free)) return;
    e.free.slots = free.slots;
    e.free.cpuMillis = free.cpuMillis;
    e.free.memoryBytes = free.memoryBytes;
    e.free.queue = free.queue;
    e.stamp = this.nextStamp();
    this.heap.update(e);
  }

  private nextStamp(): number {
    this.stampCounter += 1;
    return this.stampCounter;
  }

  private bitFor(executor: string): number {
    let bit = this.executorBits.get(executor);
    if (bit === undefined) {
      bit = 1 << Math.min(this.executorBits.size, EXECUTOR_BITS);
      this.executorBits.set(executor, bit);
    }
    return bit;
  }

  /** The agents a selector narrows to through the label index, when few enough to scan. */
  private indexedCandidates(demand: TaskDemand): Set<HeapEntry>[] | undefined {
    if (demand.selector === undefined) return undefined;
    const c = this.labels.candidates(demand.selector);
    return c !== undefined && c.count <= this.indexScanMax ? c.sets : undefined;
  }

  private walk(demand: TaskDemand, bit: number, tier: Tier): HeapEntry | undefined {
    const { cpuMillis: cpu, memoryBytes: mem } = demand;
    const accept = (e: HeapEntry): boolean => fits(e, demand, tier);
    switch (tier) {
      case 'now':
        return this.heap.findBest(
          accept,
          (e) =>
            (e.anyExecutors & bit) !== 0 &&
            e.maxSlots >= 1 &&
            e.maxCpu >= cpu &&
            e.maxMemory >= mem,
        );
      case 'queue':
        return this.heap.findBest(
          accept,
          (e) =>
            (e.anyExecutors & bit) !== 0 &&
            e.maxQueue >= 1 &&
            e.maxCapSlots >= 1 &&
            e.maxCapCpu >= cpu &&
            e.maxCapMemory >= mem,
        );
      case 'ever':
        return this.heap.findBest(
          accept,
          (e) =>
            (e.anyExecutors & bit) !== 0 &&
            e.maxCapSlots >= 1 &&
            e.maxCapCpu >= cpu &&
            e.maxCapMemory >= mem,
        );
    }
  }
}

function fits(e: HeapEntry, demand: TaskDemand, tier: Tier): boolean {
  let room: boolean;
  switch (tier) {
    case 'now':
      room = fitsNow(e.free, demand);
      break;
    case 'queue':
      room = fitsQueue(e.free, e.spec.capacity, demand);
      break;
    case 'ever':
      room = fitsCapacity(e.spec.capacity, demand);
      break;
  }
  return (
    room &&
    e.spec.executors.includes(demand.executor) &&
    matchesSelector(e.spec.labels, demand.selector)
  );
}

function bestOf(sets: Set<HeapEntry>[], demand: TaskDemand, tier: Tier): HeapEntry | undefined {
  let best: HeapEntry | undefined;
  for (const set of sets) {
    for (const e of set) {
      if (!fits(e, demand, tier)) continue;
      if (best === undefined || ranksBefore(e, best)) best = e;
    }
  }
  return best;
}

function ranksBefore(a: HeapEntry, b: HeapEntry): boolean {
  return compareRoom(a.free, a.stamp, b.free, b.stamp) < 0;
}

function view(e: HeapEntry): AgentView {
  return { ...e.spec, free: { ...e.free } };
}
