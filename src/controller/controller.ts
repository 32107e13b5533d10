import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Task } from '../api/index.js';
import type { CurveClientKeys, CurveServerKeys } from '../agent/curve.js';
import { RouterServer } from '../agent/router-server.js';
import { Router } from '../router/index.js';
import { AgentDirectory } from './agent-directory.js';
import type { EngineContext, EngineMetrics, EngineTimings } from './engine-types.js';
import {
  createTaskInformer,
  EventRecorder,
  LeaderElector,
  StatusWriter,
  TaskFinalizers,
  statusCodeOf,
  taskCoordinates,
  warnIfCrdStale,
} from './kube/index.js';
import type { TaskInformer } from './kube/index.js';
import { PendingQueue } from './pending-queue.js';
import { principalHandler } from './principal-handler.js';
import { failAttempt, reconcile } from './reconcile.js';
import { Reasons } from '../api/index.js';
import { schedulePass } from './scheduler.js';
import type { TaskRecord } from './task-record.js';
import { WorkQueue } from './workqueue.js';
import type { WorkQueueMetricsSink } from './workqueue.js';

/** Everything a controller needs, read once at start-up (see src/cli/controller.ts). */
export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** Watch one namespace; default all. */
  readonly namespace?: string;
  /** ZeroMQ endpoint the principal server binds, e.g. `tcp://0.0.0.0:5700`. */
  readonly principalListen: string;
  /** Endpoint agents should use for this replica (REDIRECT detail); default the bound one. */
  readonly principalAdvertise?: string;
  /** CURVE keys: the principal's server keys and the client keys used towards agents. */
  readonly curve?: { readonly server: CurveServerKeys; readonly client: CurveClientKeys };
  /** Lease-based leader election; absent: this replica always leads. */
  readonly leaderElection?: {
    readonly namespace: string;
    readonly leaseName: string;
    readonly identity: string;
    readonly leaseDurationMs?: number;
    readonly renewDeadlineMs?: number;
    readonly renewIntervalMs?: number;
  };
  /** An agent silent for this long is lost, in ms. Default 10000. */
  readonly agentTimeoutMs?: number;
  /** Parallel reconciles. Default 4. */
  readonly workers?: number;
  readonly timings?: Partial<EngineTimings>;
  /** Restart a watch that is silent this long, in ms. Default 60000. */
  readonly watchIdleTimeoutMs?: number;
  readonly metrics?: EngineMetrics;
  readonly queueMetrics?: WorkQueueMetricsSink;
  /** Called on every leadership change (for the leader gauge and the pod label). */
  readonly onLeadershipChange?: (leading: boolean) => void;
}

const DEFAULT_TIMINGS: EngineTimings = {
  settleMs: 3000,
  dispatchTimeoutMs: 2000,
  inDoubtGraceMs: 3000,
  cancelTimeoutMs: 15000,
  retryBaseMs: 1000,
  retryMaxMs: 60000,
  statusCoalesceMs: 100,
};

/** The longest a key waits in the work queue before it is looked at again, in ms. */
const MAX_REQUEUE_MS = 3_600_000;

const NO_METRICS: EngineMetrics = {
  reconciled: () => undefined,
  dispatched: () => undefined,
  dispatchFailed: () => undefined,
  retried: () => undefined,
  finished: () => undefined,
  queueWait: () => undefined,
};

/**
 * The Task Router controller: Task informer → work queue → reconcile, the router heap and the
 * principal server. Only the leader dispatches and writes; every replica serves its principal
 * port, answering REDIRECT while standby.
 */
export class Controller {
  private readonly ctx: EngineContext;
  private readonly informer: TaskInformer;
  private readonly server: RouterServer;
  private readonly elector?: LeaderElector;
  private readonly api: CustomObjectsApi;
  private leaderSinceMs: number | undefined;
  private scheduled = false;
  private tick?: NodeJS.Timeout;
  private workers: Promise<void>[] = [];
  private stopped = false;

  constructor(private readonly options: ControllerOptions) {
    const { kubeConfig, logger } = options;
    const now = (): number => performance.now();
    const timings = { ...DEFAULT_TIMINGS, ...options.timings };
    const canWrite = (): boolean => this.isLeader();
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
    const queue = new WorkQueue({
      backoff: { baseDelayMs: 50, maxDelayMs: 30_000 },
      ...(options.queueMetrics ? { metrics: options.queueMetrics } : {}),
    });
    this.informer = createTaskInformer({
      kubeConfig,
      logger: logger.child({ component: 'informer' }),
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.watchIdleTimeoutMs !== undefined
        ? { watchIdleTimeoutMs: options.watchIdleTimeoutMs }
        : {}),
      handlers: {
        onAdd: (key) => {
          queue.add(key);
        },
        onUpdate: (key) => {
          queue.add(key);
        },
        onDelete: (key) => {
          queue.add(key);
        },
      },
    });
    const router = new Router();
    if (options.leaderElection !== undefined) {
      this.elector = new LeaderElector({
        kubeConfig,
        logger: logger.child({ component: 'leader' }),
        ...options.leaderElection,
        onStartedLeading: () => {
          this.onLeadership(true);
        },
        onStoppedLeading: () => {
          this.onLeadership(false);
        },
      });
    }
    const informer = this.informer;
    this.ctx = {
      logger,
      informer,
      statusWriter: new StatusWriter({ kubeConfig, logger, canWrite }),
      finalizers: new TaskFinalizers({ kubeConfig, canWrite }),
      events: new EventRecorder({
        kubeConfig,
        logger,
        reportingInstance: options.leaderElection?.identity ?? 'task-router-controller',
        canWrite,
      }),
      router,
      directory: new AgentDirectory({
        router,
        logger,
        agentTimeoutMs: options.agentTimeoutMs ?? 10_000,
        requestDeadlineMs: timings.dispatchTimeoutMs,
        now,
        ...(options.curve ? { curve: options.curve.client } : {}),
      }),
      queue,
      pending: new PendingQueue(),
      records: new Map<string, TaskRecord>(),
      timings,
      metrics: options.metrics ?? NO_METRICS,
      now,
      canAct: () => this.isLeader() && informer.hasSynced(),
      scheduleSoon: () => {
        this.scheduleSoon();
      },
      task: (key) => informer.get(key) as Task | undefined,
      deleteTask: (task) => this.deleteTask(task),
    };
    this.server = new RouterServer({
      endpoint: options.principalListen,
      logger: logger.child({ component: 'principal' }),
      handler: principalHandler(this.ctx, { leaderEndpoint: () => this.leaderEndpoint() }),
      ...(options.curve ? { curve: options.curve.server } : {}),
    });
  }

  /** The principal's bound endpoint (with the real port when 0 was asked). */
  get principalEndpoint(): string {
    return this.server.endpoint;
  }

  /** True while this replica leads (always, without leader election). */
  isLeader(): boolean {
    return this.elector === undefined ? true : this.elector.isLeader();
  }

  /** True once the Task cache has synced: the replica is Ready. */
  isReady(): boolean {
    return this.informer.hasSynced();
  }

  /** Counts for the gauges: Tasks by phase, agents by state, free slots. O(Tasks + agents). */
  snapshot(): {
    tasks: Record<string, number>;
    agents: Record<string, number>;
    freeSlots: number;
  } {
    const tasks: Record<string, number> = {};
    for (const task of this.informer.list()) {
      const phase = task.status?.phase ?? 'Pending';
      tasks[phase] = (tasks[phase] ?? 0) + 1;
    }
    const agents: Record<string, number> = { Ready: 0, Full: 0 };
    let freeSlots = 0;
    for (const agent of this.ctx.router.agents()) {
      freeSlots += agent.free.slots;
      const full = agent.free.slots === 0 && agent.free.queue === 0;
      agents[full ? 'Full' : 'Ready'] = (agents[full ? 'Full' : 'Ready'] ?? 0) + 1;
    }
    return { tasks, agents, freeSlots };
  }

  async start(): Promise<void> {
    await warnIfCrdStale(this.options.kubeConfig, this.options.logger);
    await this.server.start();
    await this.informer.start();
    if (this.elector === undefined) this.onLeadership(true);
    else this.elector.start();
    const workers = this.options.workers ?? 4;
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
    this.tick = setInterval(() => {
      this.onTick();
    }, 500);
    this.options.logger.info({ principal: this.principalEndpoint }, 'controller started');
  }

  /** Stops taking work, releases the Lease so a standby takes over at once, and closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.tick);
    await this.elector?.release();
    await this.ctx.queue.shutDown();
    await Promise.all(this.workers);
    await this.ctx.events.flush();
    await this.server.close();
    this.ctx.directory.close();
    await this.informer.stop();
  }

  private async work(): Promise<void> {
    const { queue, metrics, logger } = this.ctx;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const started = performance.now();
      try {
        const requeueMs = await reconcile(this.ctx, key);
        queue.forget(key);
        // Long waits (a TTL of weeks) come back hourly: timers overflow past 2^31 ms.
        if (requeueMs !== undefined) queue.addAfter(key, Math.min(requeueMs, MAX_REQUEUE_MS));
        metrics.reconciled(
          requeueMs === undefined ? 'success' : 'requeue',
          (performance.now() - started) / 1000,
        );
      } catch (err) {
        queue.addRateLimited(key);
        metrics.reconciled('error', (performance.now() - started) / 1000);
        logger.warn(
          { task: key, err: (err as Error).message, code: statusCodeOf(err) },
          'reconcile failed; will retry',
        );
      } finally {
        queue.done(key);
      }
    }
  }

  private onLeadership(leading: boolean): void {
    this.leaderSinceMs = leading ? performance.now() : undefined;
    this.options.logger.info({ leading }, leading ? 'became leader' : 'stopped leading');
    this.options.onLeadershipChange?.(leading);
    if (!leading) {
      // A deposed leader forgets what it tracked; the next leader rebuilds from status and agents.
      this.ctx.records.clear();
      this.ctx.directory.close();
      return;
    }
    for (const task of this.informer.list()) {
      this.ctx.queue.add(`${task.metadata?.namespace ?? ''}/${task.metadata?.name ?? ''}`);
    }
  }

  private settled(): boolean {
    return (
      this.leaderSinceMs !== undefined &&
      performance.now() - this.leaderSinceMs >= this.ctx.timings.settleMs
    );
  }

  private scheduleSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // Agents re-register within the settle window after a leader change, telling what they
      // hold; dispatching before that could run an attempt twice.
      if (this.settled()) schedulePass(this.ctx);
    });
  }

  private onTick(): void {
    if (!this.ctx.canAct()) return;
    for (const lost of this.ctx.directory.sweep()) {
      this.options.logger.warn({ agent: lost.id }, 'agent lost: missed heartbeats');
    }
    if (!this.settled()) return;
    // Attempts on agents that are gone (lost now, or never seen since a restart) have failed.
    for (const record of this.ctx.records.values()) {
      const current = record.current;
      if (current === undefined || current.stage === 'ended') continue;
      if (this.ctx.directory.get(current.agentId) !== undefined) continue;
      failAttempt(
        this.ctx,
        record,
        Reasons.AgentLost,
        `agent ${current.agentId} stopped heartbeating while it held attempt ${current.index + 1}`,
      );
    }
    this.scheduleSoon();
  }

  private leaderEndpoint(): string {
    const holder = this.elector?.currentLeader() ?? '';
    const at = holder.indexOf('@');
    return at >= 0 ? holder.slice(at + 1) : '';
  }

  private async deleteTask(task: Task): Promise<void> {
    if (!this.isLeader()) return;
    try {
      await this.api.deleteNamespacedCustomObject(taskCoordinates(task));
    } catch (err) {
      if (statusCodeOf(err) !== 404) {
        this.options.logger.warn(
          { task: task.metadata.name, err: (err as Error).message },
          'ttl delete failed',
        );
      }
    }
  }
}
