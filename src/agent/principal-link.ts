import type { Logger } from 'pino';
import {
  ErrorCode,
  PROTOCOL_VERSION,
  ProtocolError,
  type Capacity,
  type Executor,
  type Reply,
  type TaskRef,
} from '../protocol/index.js';
import type { CurveClientKeys } from './curve.js';
import { RequestClient } from './request-client.js';
import type { FreeRoom, TaskReport } from './task-manager.js';

export interface PrincipalLinkOptions {
  /** The principal's endpoint, e.g. `tcp://controller:5700`. */
  readonly principal: string;
  readonly instanceId: string;
  /** The agent server's endpoint as the principal should dial it. */
  readonly endpoint: string;
  readonly capacity: Capacity;
  readonly executors: readonly Executor[];
  readonly labels: Readonly<Record<string, string>>;
  /** Between heartbeats, in milliseconds; default 2000. */
  readonly heartbeatIntervalMs?: number;
  /** Per-request deadline, in milliseconds; default 3000. */
  readonly deadlineMs?: number;
  /** Longest wait between retries, in milliseconds; default 5000. */
  readonly maxBackoffMs?: number;
  /** Reports sent at once (never two of one task); default 32. */
  readonly maxInFlight?: number;
  readonly curve?: CurveClientKeys;
  readonly logger: Logger;
  readonly held: () => TaskRef[];
  readonly free: () => FreeRoom;
}

const isFinal = (r: TaskReport): boolean => r.state === 'COMPLETE' || r.state === 'FAILED';

/**
 * The agent's side of the principal: registers (again after a principal restart or REDIRECT),
 * heartbeats, and delivers reports, each retried until acknowledged and in order per task.
 * While the principal is unreachable the agent keeps serving; reports wait here.
 */
export class PrincipalLink {
  private readonly client: RequestClient;
  private readonly outbox = new Map<string, TaskReport[]>();
  private readonly inFlight = new Set<string>();
  private registered = false;
  private stopped = false;
  private registering?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private backoff?: NodeJS.Timeout;
  private drained = new Set<() => void>();

  constructor(private readonly options: PrincipalLinkOptions) {
    this.client = new RequestClient({
      endpoint: options.principal,
      deadlineMs: options.deadlineMs ?? 3000,
      logger: options.logger,
      ...(options.curve ? { curve: options.curve } : {}),
    });
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  start(): void {
    this.ensureRegistered();
    this.heartbeat = setInterval(() => {
      void this.beat();
    }, this.options.heartbeatIntervalMs ?? 2000);
  }

  /**
   * Queues a report. A final report makes unsent earlier ones of the same task pointless, so
   * they are dropped; this bounds what waits for each task while the principal is away.
   */
  report(report: TaskReport): void {
    const k = `${report.uid}\u0000${report.attempt}`;
    const list = this.outbox.get(k) ?? [];
    if (isFinal(report)) {
      const keep = this.inFlight.has(k) ? list.slice(0, 1) : [];
      list.splice(0, list.length, ...keep);
    }
    list.push(report);
    this.outbox.set(k, list);
    this.pump();
  }

  /** Reports not yet acknowledged. */
  get pendingReports(): number {
    let n = 0;
    for (const list of this.outbox.values()) n += list.length;
    return n;
  }

  /** Resolves when every report is acknowledged or `timeoutMs` passes; true when all went. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.outbox.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.drained.delete(done);
        resolve(this.outbox.size === 0);
      };
      const timer = setTimeout(done, timeoutMs);
      this.drained.add(done);
    });
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    clearTimeout(this.backoff);
    this.client.close();
  }

  private ensureRegistered(): void {
    if (this.stopped || this.registered || this.registering) return;
    this.registering = this.register().finally(() => {
      this.registering = undefined;
    });
  }

  private async register(): Promise<void> {
    const o = this.options;
    let backoffMs = 100;
    while (!this.stopped && !this.registered) {
      const body = {
        verb: 'REGISTER' as const,
        instanceId: o.instanceId,
        endpoint: o.endpoint,
        capacity: o.capacity,
        executors: o.executors,
        labels: o.labels,
        held: o.held(),
      };
      const reply = await this.client.request(body).catch((err: unknown) => err as Error);
      if (!(reply instanceof Error) && reply.kind === 'OK') {
        this.registered = true;
        o.logger.info(
          { principal: this.client.endpoint, version: PROTOCOL_VERSION },
          'registered with principal',
        );
        this.pump();
        return;
      }
      this.logRefusal('register', reply);
      if (!(reply instanceof Error) && reply.code === ErrorCode.Redirect && reply.detail !== '') {
        this.client.replace(reply.detail);
        continue;
      }
      await this.sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, o.maxBackoffMs ?? 5000);
    }
  }

  private async beat(): Promise<void> {
    if (!this.registered) return;
    const free = this.options.free();
    const reply = await this.client
      .request({
        verb: 'HEARTBEAT',
        instanceId: this.options.instanceId,
        freeSlots: free.slots,
        freeCpuMillis: free.cpuMillis,
        freeMemoryBytes: free.memoryBytes,
        queued: free.queued,
        held: this.options.held(),
      })
      .catch((err: unknown) => err as Error);
    if (!(reply instanceof Error) && reply.kind === 'OK') return;
    this.logRefusal('heartbeat', reply);
    // A principal that restarted or failed over does not know us; REGISTER tells it what we hold.
    this.registered = false;
    this.ensureRegistered();
  }

  private pump(): void {
    if (!this.registered || this.stopped) return;
    const max = this.options.maxInFlight ?? 32;
    for (const [k, list] of this.outbox) {
      if (this.inFlight.size >= max) return;
      const head = list[0];
      if (head === undefined || this.inFlight.has(k)) continue;
      this.inFlight.add(k);
      void this.deliver(k, head);
    }
  }

  private async deliver(k: string, report: TaskReport): Promise<void> {
    const reply = await this.client
      .request({ verb: 'STATUS', instanceId: this.options.instanceId, ...report })
      .catch((err: unknown) => err as Error);
    this.inFlight.delete(k);
    if (!(reply instanceof Error) && reply.kind === 'OK') {
      const list = this.outbox.get(k);
      if (list?.[0] === report) list.shift();
      if (list?.length === 0) this.outbox.delete(k);
      if (this.outbox.size === 0) for (const done of [...this.drained]) done();
      this.pump();
      return;
    }
    this.logRefusal('status', reply);
    if (!(reply instanceof Error) && reply.code === ErrorCode.UnknownAgent) {
      this.registered = false;
      this.ensureRegistered();
      return;
    }
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.pump();
    }, 200);
  }

  private logRefusal(what: string, reply: Reply | Error): void {
    if (reply instanceof ProtocolError) {
      // Our own message cannot be put on the wire (a count beyond 2^53, a lone surrogate): no
      // retry will help, so this must be seen, not left at debug like a missed reply.
      this.options.logger.warn(
        { err: reply, principal: this.client.endpoint },
        `${what} could not be encoded`,
      );
    } else if (reply instanceof Error) {
      this.options.logger.debug(
        { err: reply, principal: this.client.endpoint },
        `${what} got no reply`,
      );
    } else if (reply.kind === 'ERROR') {
      this.options.logger.warn(
        { code: reply.code, detail: reply.detail, message: reply.message },
        `${what} refused`,
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.backoff = setTimeout(resolve, ms);
    });
  }
}
