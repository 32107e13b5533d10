import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  ErrorCode,
  PROTOCOL_VERSION,
  type Executor,
  type Reply,
  type RunTask,
} from '../protocol/index.js';
import type { CurveClientKeys, CurveServerKeys } from './curve.js';
import type { ExecutorOptions } from './executor.js';
import { DEFAULT_TASK_NICE, checkNice } from './niceness.js';
import { PrincipalLink } from './principal-link.js';
import { RouterServer, type Incoming } from './router-server.js';
import { TaskRejectedError } from './task-errors.js';
import { TaskManager } from './task-manager.js';

/** Everything an agent needs; the CLI builds it from flags and env (see src/cli/agent.ts). */
export interface AgentOptions {
  /** Endpoint the agent server binds, e.g. `tcp://127.0.0.1:5701`. */
  readonly listen: string;
  /** Endpoint the principal dials; default: the bound endpoint. */
  readonly advertise?: string;
  /** The principal's endpoint; without one the agent only serves. */
  readonly principal?: string;
  readonly instanceId: string;
  readonly slots: number;
  readonly queueLength: number;
  /** In millicores; 0 means not accounted. */
  readonly cpuMillis: number;
  /** In bytes; 0 means not accounted. */
  readonly memoryBytes: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly executors: readonly Executor[];
  readonly curveServer?: CurveServerKeys;
  readonly curveClient?: CurveClientKeys;
  readonly heartbeatIntervalMs?: number;
  readonly executor?: ExecutorOptions;
  /** How much nicer than the agent its tasks run, 0 to 19; default DEFAULT_TASK_NICE. */
  readonly taskNice?: number;
  readonly logger: Logger;
}

/** The agent: its server, Task Manager and link to the principal, started and stopped together. */
export class Agent {
  readonly tasks: TaskManager;
  private readonly server: RouterServer;
  private link?: PrincipalLink;

  constructor(private readonly options: AgentOptions) {
    this.tasks = new TaskManager({
      slots: options.slots,
      queueLength: options.queueLength,
      cpuMillis: options.cpuMillis,
      memoryBytes: options.memoryBytes,
      executors: options.executors,
      logger: options.logger,
      taskNice: checkNice(options.taskNice ?? DEFAULT_TASK_NICE, 'taskNice'),
      ...(options.executor ? { executor: options.executor } : {}),
      onReport: (report) => {
        this.link?.report(report);
      },
    });
    this.server = new RouterServer({
      endpoint: options.listen,
      logger: options.logger,
      handler: (incoming) => this.handle(incoming),
      ...(options.curveServer ? { curve: options.curveServer } : {}),
    });
  }

  /** The bound endpoint (with the real port when 0 was asked for). */
  get endpoint(): string {
    return this.server.endpoint;
  }

  async start(): Promise<void> {
    await this.server.start();
    this.tasks.warm();
    try {
      this.connect();
    } catch (err) {
      // An endpoint ZeroMQ refuses must stop the start, not leave a server that never registers.
      await this.server.close();
      throw err;
    }
    this.options.logger.info(
      { endpoint: this.endpoint, instanceId: this.options.instanceId },
      'agent serving',
    );
  }

  private connect(): void {
    const o = this.options;
    if (o.principal !== undefined) {
      this.link = new PrincipalLink({
        principal: o.principal,
        instanceId: o.instanceId,
        endpoint: o.advertise ?? this.endpoint,
        capacity: {
          slots: o.slots,
          cpuMillis: o.cpuMillis,
          memoryBytes: o.memoryBytes,
          queueLength: o.queueLength,
        },
        executors: o.executors,
        labels: o.labels,
        logger: o.logger,
        held: () => this.tasks.held(),
        free: () => this.tasks.free(),
        ...(o.heartbeatIntervalMs !== undefined
          ? { heartbeatIntervalMs: o.heartbeatIntervalMs }
          : {}),
        ...(o.curveClient ? { curve: o.curveClient } : {}),
      });
      this.link.start();
    }
  }

  /**
   * Drains: refuses new work, gives running tasks `graceMs` to finish, stops the rest with
   * reason AgentShutdown, then tries for `flushMs` to deliver the last reports.
   */
  async stop(graceMs = 10_000, flushMs = 3000): Promise<void> {
    await this.tasks.drain(graceMs);
    if (this.link) {
      const delivered = await this.link.flush(flushMs);
      if (!delivered)
        this.options.logger.warn({ pending: this.link.pendingReports }, 'reports left undelivered');
      this.link.stop();
    }
    await this.server.close();
  }

  private handle({ body, pipe }: Incoming): Reply {
    switch (body.verb) {
      case 'RUNTASK': {
        const task: RunTask = pipe && body.uid === '' ? { ...body, uid: randomUUID() } : body;
        try {
          const outcome = this.tasks.submit(task);
          return { kind: 'OK', fields: [task.uid, String(task.attempt), outcome] };
        } catch (err) {
          if (err instanceof TaskRejectedError)
            return { kind: 'ERROR', code: err.code, message: err.message, detail: '' };
          throw err;
        }
      }
      case 'CANCEL':
        try {
          return { kind: 'OK', fields: [this.tasks.cancel(body) ? 'cancelled' : 'finished'] };
        } catch (err) {
          if (err instanceof TaskRejectedError)
            return { kind: 'ERROR', code: err.code, message: err.message, detail: '' };
          throw err;
        }
      case 'PING':
        return { kind: 'OK', fields: [this.options.instanceId, PROTOCOL_VERSION] };
      default:
        return {
          kind: 'ERROR',
          code: ErrorCode.UnknownVerb,
          message: `frame 1 (verb): ${body.verb} is served by the principal, not by agents`,
          detail: '',
        };
    }
  }
}
