import { parseCpuMillis, parseMemoryBytes } from './quantity.js';
import type { TaskSpec } from './types.js';

/** A Task's resource request in the router's integer units; 0 where the spec names none. */
export interface ResourceRequest {
  /** CPU in millicores. */
  cpuMillis: number;
  /** Memory in bytes. */
  memoryBytes: number;
}

/**
 * Reads `spec.resources` into integer units.
 * @throws QuantityError naming `spec.resources.cpu` or `spec.resources.memory` when malformed
 */
export function resourceRequest(spec: Pick<TaskSpec, 'resources'>): ResourceRequest {
  const r = spec.resources;
  return {
    cpuMillis: r?.cpu === undefined ? 0 : parseCpuMillis(r.cpu, 'spec.resources.cpu'),
    memoryBytes: r?.memory === undefined ? 0 : parseMemoryBytes(r.memory, 'spec.resources.memory'),
  };
}
