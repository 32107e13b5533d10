import { parseCpuMillis, parseMemoryBytes } from '../api/quantity.js';
import { validateSelector } from './selector.js';
import type { LabelSelector, TaskDemand } from './types.js';

/** The parts of a Task's spec the router looks at. */
export interface DemandSource {
  /** Default `PROCESS`. */
  readonly executor?: string;
  /** Kubernetes quantities; absent means none asked for. */
  readonly resources?: { readonly cpu?: string | number; readonly memory?: string | number };
  readonly agentSelector?: LabelSelector;
}

/**
 * Turns a Task's spec into what the router compares: cpu in millicores and memory in bytes
 * (rounded up). Throws QuantityError or InvalidSelectorError naming the field at fault.
 */
export function taskDemand(spec: DemandSource): TaskDemand {
  validateSelector(spec.agentSelector);
  const { cpu, memory } = spec.resources ?? {};
  const demand: TaskDemand = {
    executor: spec.executor ?? 'PROCESS',
    cpuMillis: cpu === undefined ? 0 : parseCpuMillis(cpu, 'spec.resources.cpu'),
    memoryBytes: memory === undefined ? 0 : parseMemoryBytes(memory, 'spec.resources.memory'),
  };
  return spec.agentSelector === undefined ? demand : { ...demand, selector: spec.agentSelector };
}
