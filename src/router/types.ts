/**
 * The router's view of agents and tasks. Quantities are plain integers here (cpu in millicores,
 * memory in bytes) so the heap never parses strings on the hot path; see `demand.ts` for the
 * conversion from a Task's spec.
 */

/** A standard Kubernetes label selector requirement. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Required (non-empty) for In and NotIn; must be empty or absent for Exists and DoesNotExist. */
  readonly values?: readonly string[];
}

/** A standard Kubernetes label selector. An empty selector matches every agent. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** Resources counted by the router. All fields are non-negative integers. */
export interface Room {
  /** Task slots (processes that may run at once). */
  readonly slots: number;
  /** CPU in millicores. */
  readonly cpuMillis: number;
  /** Memory in bytes. */
  readonly memoryBytes: number;
  /** Places in the agent's bounded queue for tasks that wait for a slot. */
  readonly queue: number;
}

/** What an agent tells the principal when it registers. */
export interface AgentSpec {
  /** Unique per agent process; a restarted agent registers under a new id. */
  readonly id: string;
  /** Total capacity; never changes for one id. */
  readonly capacity: Room;
  /** Executors this agent runs, e.g. `PROCESS`, `SHELL`. */
  readonly executors: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** What a task needs from an agent. */
export interface TaskDemand {
  /** CPU in millicores; 0 when the task asks for none. */
  readonly cpuMillis: number;
  /** Memory in bytes; 0 when the task asks for none. */
  readonly memoryBytes: number;
  readonly executor: string;
  /** Absent or empty: any agent. */
  readonly selector?: LabelSelector;
}

/** A read-only snapshot of one agent as the router sees it. */
export interface AgentView extends AgentSpec {
  /** Room left now: capacity minus reservations, or the last heartbeat's report. */
  readonly free: Room;
}

/**
 * How a task takes room on an agent. `slot`: it runs at once and holds a slot, its cpu and its
 * memory. `queue`: every slot is busy, so it holds a queue place and the task is Waiting.
 */
export type ReservationMode = 'slot' | 'queue';

/** Room taken on one agent by one dispatch; give it back with `Router.release`. */
export interface Reservation {
  readonly agentId: string;
  readonly mode: ReservationMode;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/** The outcome of `Router.pick`. */
export type PickResult =
  | { readonly kind: 'picked'; readonly agent: AgentView; readonly mode: ReservationMode }
  /** No live agent could ever run the task (labels, executor or total capacity). */
  | { readonly kind: 'NoMatchingAgent' }
  /** Some live agent could run it, but none has room now, not even in its queue. */
  | { readonly kind: 'NoCapacity' };
