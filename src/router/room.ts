import type { Room, TaskDemand } from './types.js';

/** Mutable room, as the heap stores it. */
export interface MutableRoom {
  slots: number;
  cpuMillis: number;
  memoryBytes: number;
  queue: number;
}

/**
 * The heap key, best first: more free slots, then more free cpu, then more free memory, then
 * more free queue places; equal room is broken by the older `stamp` (the agent whose room
 * changed least recently). Stamps are unique, so the order is total and a pick is deterministic,
 * and because an agent's stamp renews whenever its room changes, agents with equal room take
 * turns instead of one of them taking every task.
 *
 * Returns a negative number when `a` ranks before `b`.
 */
export function compareRoom(a: Room, aStamp: number, b: Room, bStamp: number): number {
  return (
    b.slots - a.slots ||
    b.cpuMillis - a.cpuMillis ||
    b.memoryBytes - a.memoryBytes ||
    b.queue - a.queue ||
    aStamp - bStamp
  );
}

/** The task can start at once: a free slot and enough free cpu and memory. */
export function fitsNow(free: Room, demand: TaskDemand): boolean {
  return (
    free.slots >= 1 && free.cpuMillis >= demand.cpuMillis && free.memoryBytes >= demand.memoryBytes
  );
}

/**
 * The task can wait in the agent's queue: a free queue place, and the agent's total cpu and
 * memory are enough for it once a slot frees. A queued task holds no cpu or memory yet.
 */
export function fitsQueue(free: Room, capacity: Room, demand: TaskDemand): boolean {
  return free.queue >= 1 && fitsCapacity(capacity, demand);
}

/** The agent could run the task when idle: it has a slot and enough total cpu and memory. */
export function fitsCapacity(capacity: Room, demand: TaskDemand): boolean {
  return (
    capacity.slots >= 1 &&
    capacity.cpuMillis >= demand.cpuMillis &&
    capacity.memoryBytes >= demand.memoryBytes
  );
}

/** Whether two rooms hold the same numbers. */
export function sameRoom(a: Room, b: Room): boolean {
  return (
    a.slots === b.slots &&
    a.cpuMillis === b.cpuMillis &&
    a.memoryBytes === b.memoryBytes &&
    a.queue === b.queue
  );
}
