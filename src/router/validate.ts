import { InvalidAgentError, InvalidDemandError } from './errors.js';
import type { Room, TaskDemand } from './types.js';

// Numbers reach the router from the wire; reject what would corrupt the heap's arithmetic.

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export function checkRoom(what: string, room: Room): void {
  for (const field of ['slots', 'cpuMillis', 'memoryBytes', 'queue'] as const) {
    if (!isCount(room[field])) {
      throw new InvalidAgentError(
        `${what}.${field}: expected a non-negative integer, got ${String(room[field])}`,
      );
    }
  }
}

export function checkFree(agentId: string, capacity: Room, free: Room): void {
  checkRoom(`agent ${agentId} free`, free);
  for (const field of ['slots', 'cpuMillis', 'memoryBytes', 'queue'] as const) {
    if (free[field] > capacity[field]) {
      throw new InvalidAgentError(
        `agent ${agentId} free.${field}: expected at most the capacity ${capacity[field]}, got ${free[field]}`,
      );
    }
  }
}

export function checkDemand(demand: TaskDemand): void {
  for (const field of ['cpuMillis', 'memoryBytes'] as const) {
    if (!isCount(demand[field])) {
      throw new InvalidDemandError(
        `task ${field}: expected a non-negative integer, got ${String(demand[field])}`,
      );
    }
  }
}
