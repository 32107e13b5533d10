import type { Logger } from 'pino';
import { RequestClient } from '../agent/request-client.js';
import type { CurveClientKeys } from '../agent/curve.js';
import type { Heartbeat, Register, TaskRef } from '../protocol/index.js';
import type { Router } from '../router/index.js';

/** One live agent as the principal knows it. */
export interface AgentEntry {
  readonly id: string;
  readonly endpoint: string;
  /** Monotonic ms of the last REGISTER or HEARTBEAT. */
  lastSeenMs: number;
  /** Tasks the agent said it holds in its last REGISTER or HEARTBEAT, as `uid#attempt`. */
  held: ReadonlySet<string>;
  /** Monotonic ms at which `held` was last replaced. */
  heldAtMs: number;
  client?: RequestClient;
  /** Monotonic ms until which the agent gets no work: it left a RUNTASK unanswered. */
  quarantinedUntilMs?: number;
}

/** Options of {@link AgentDirectory}. */
export interface AgentDirectoryOptions {
  readonly router: Router;
  readonly logger: Logger;
  /** An agent that sent nothing for this long is lost, in ms. */
  readonly agentTimeoutMs: number;
  /** Deadline of one request to an agent (RUNTASK, CANCEL), in ms. */
  readonly requestDeadlineMs: number;
  /** CURVE keys for requests to agents; absent: plain sockets. */
  readonly curve?: CurveClientKeys;
  /** Monotonic clock in ms. */
  readonly now: () => number;
}

/** `uid#attempt`, the identity of one attempt in held lists. */
export function refKey(ref: TaskRef): string {
  return `${ref.uid}#${ref.attempt}`;
}

/**
 * The live agents: their endpoints, what they hold, when they were last heard from, and one
 * request client each. Keeps the router's heap in step on register, heartbeat and loss.
 */
export class AgentDirectory {
  private readonly agents = new Map<string, AgentEntry>();

  constructor(private readonly options: AgentDirectoryOptions) {}

  get size(): number {
    return this.agents.size;
  }

  get(id: string): AgentEntry | undefined {
    return this.agents.get(id);
  }

  all(): IterableIterator<AgentEntry> {
    return this.agents.values();
  }

  /** Adds or refreshes an agent; a new endpoint for a known id replaces its client. */
  register(msg: Register): AgentEntry {
    const { router, now } = this.options;
    const previous = this.agents.get(msg.instanceId);
    if (previous !== undefined && previous.endpoint !== msg.endpoint) previous.client?.close();
    const capacity = {
      slots: msg.capacity.slots,
      cpuMillis: msg.capacity.cpuMillis,
      memoryBytes: msg.capacity.memoryBytes,
      queue: msg.capacity.queueLength,
    };
    router.register({
      id: msg.instanceId,
      capacity,
      executors: msg.executors,
      labels: msg.labels,
    });
    const entry: AgentEntry = {
      id: msg.instanceId,
      endpoint: msg.endpoint,
      lastSeenMs: now(),
      held: new Set(msg.held.map(refKey)),
      heldAtMs: now(),
      ...(previous !== undefined && previous.endpoint === msg.endpoint && previous.client
        ? { client: previous.client }
        : {}),
    };
    this.agents.set(msg.instanceId, entry);
    return entry;
  }

  /** Refreshes a known agent; returns undefined for an agent that must register again. */
  heartbeat(msg: Heartbeat): AgentEntry | undefined {
    const entry = this.agents.get(msg.instanceId);
    if (entry === undefined) return undefined;
    const { router, now } = this.options;
    const spec = router.get(msg.instanceId);
    if (this.isQuarantined(entry)) {
      if (spec !== undefined) router.report(msg.instanceId, { ...spec.free, slots: 0, queue: 0 });
    } else if (spec !== undefined) {
      router.report(msg.instanceId, {
        slots: Math.min(msg.freeSlots, spec.capacity.slots),
        cpuMillis: Math.min(msg.freeCpuMillis, spec.capacity.cpuMillis),
        memoryBytes: Math.min(msg.freeMemoryBytes, spec.capacity.memoryBytes),
        queue: Math.max(0, Math.min(spec.capacity.queue - msg.queued, spec.capacity.queue)),
      });
    }
    entry.lastSeenMs = now();
    entry.held = new Set(msg.held.map(refKey));
    entry.heldAtMs = now();
    return entry;
  }

  /**
   * Takes an agent out of picks for `ms`: it left a RUNTASK unanswered, so sending it more work
   * would strand that too. Its heartbeats still count (it is not lost) and still tell what it
   * holds, which is how the unanswered attempt gets settled.
   */
  quarantine(id: string, ms: number): void {
    const entry = this.agents.get(id);
    if (entry === undefined) return;
    entry.quarantinedUntilMs = this.options.now() + ms;
    const view = this.options.router.get(id);
    if (view !== undefined) this.options.router.report(id, { ...view.free, slots: 0, queue: 0 });
  }

  private isQuarantined(entry: AgentEntry): boolean {
    return entry.quarantinedUntilMs !== undefined && this.options.now() < entry.quarantinedUntilMs;
  }

  /** The request client of an agent, created on first use. */
  client(entry: AgentEntry): RequestClient {
    entry.client ??= new RequestClient({
      endpoint: entry.endpoint,
      deadlineMs: this.options.requestDeadlineMs,
      logger: this.options.logger,
      ...(this.options.curve ? { curve: this.options.curve } : {}),
    });
    return entry.client;
  }

  /**
   * Takes a shutting-down agent out of the router: it finishes or fails what it holds and
   * reports, but gets nothing new. A later REGISTER brings it back.
   */
  drain(id: string): void {
    if (this.agents.has(id)) this.options.router.remove(id);
  }

  /** Whether the agent was heard from within the timeout. */
  isLive(entry: AgentEntry): boolean {
    return entry.lastSeenMs >= this.options.now() - this.options.agentTimeoutMs;
  }

  /** Removes agents not heard from within the timeout and returns them. */
  sweep(): AgentEntry[] {
    const lost: AgentEntry[] = [];
    for (const entry of this.agents.values()) {
      if (!this.isLive(entry)) lost.push(entry);
    }
    for (const entry of lost) this.remove(entry.id);
    return lost;
  }

  remove(id: string): void {
    const entry = this.agents.get(id);
    if (entry === undefined) return;
    entry.client?.close();
    this.agents.delete(id);
    this.options.router.remove(id);
  }

  close(): void {
    for (const entry of this.agents.values()) entry.client?.close();
    this.agents.clear();
  }
}
