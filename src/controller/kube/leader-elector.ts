import {
  CoordinationV1Api,
  V1Lease,
  V1LeaseSpec,
  V1MicroTime,
  V1ObjectMeta,
} from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

import { sleep } from '../backoff.js';
import { KubeOptionError, statusCodeOf } from './errors.js';
import { LeaseObserver } from './lease-observer.js';

/** Options of {@link LeaderElector}. */
export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Namespace of the Lease. */
  namespace: string;
  /** Name of the Lease. */
  leaseName: string;
  /** This replica's identity (the pod name); must be unique among replicas. */
  identity: string;
  /** How long a lease that stopped changing stays held, in ms. Default 15000. */
  leaseDurationMs?: number;
  /** A leader that has not renewed for this long steps down, in ms. Default 10000. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew, in ms. Default 2000. */
  renewIntervalMs?: number;
  /** Called when this replica becomes leader. */
  onStartedLeading?: () => void;
  /** Called when this replica stops leading, before anything else is written. */
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (undefined: nobody holds it). */
  onNewLeader?: (identity: string | undefined) => void;
  /** Monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease.
 *
 * Another holder's lease is judged expired only by our own monotonic clock: we note when we
 * last saw the lease change, and take it over when it has not changed for its duration. Its
 * renewTime is never compared with our wall clock, so clock skew between nodes cannot make two
 * leaders. Our own leadership ends on our clock too: `isLeader()` turns false once the last
 * successful renew is older than the renew deadline, which is shorter than the lease duration,
 * so we stop before any standby can start.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly renewIntervalMs: number;
  private readonly now: () => number;
  private readonly observer: LeaseObserver;
  private readonly stopController = new AbortController();
  private leading = false;
  /** Monotonic time at which the last successful renew was sent. */
  private lastRenewAt = Number.NEGATIVE_INFINITY;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.renewIntervalMs = options.renewIntervalMs ?? 2_000;
    if (!(this.renewIntervalMs > 0)) {
      throw new KubeOptionError('renewIntervalMs', 'a positive number', this.renewIntervalMs);
    }
    if (!(this.renewDeadlineMs > this.renewIntervalMs)) {
      throw new KubeOptionError('renewDeadlineMs', '> renewIntervalMs', this.renewDeadlineMs);
    }
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) {
      throw new KubeOptionError('leaseDurationMs', '> renewDeadlineMs', this.leaseDurationMs);
    }
    if (options.identity === '') throw new KubeOptionError('identity', 'a non-empty string', '');
    this.now = options.now ?? (() => performance.now());
    this.observer = new LeaseObserver(this.now);
  }

  /** Starts campaigning in the background. Calling it again does nothing. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * True while this replica leads and its last renew is within the renew deadline. Check it
   * right before every dispatch and write.
   */
  isLeader(): boolean {
    return this.leading && this.now() - this.lastRenewAt < this.renewDeadlineMs;
  }

  /** The holder last seen on the Lease, if any. */
  currentLeader(): string | undefined {
    return this.observer.holder;
  }

  /**
   * Stops campaigning; if leading, steps down and clears the Lease's holder so a standby takes
   * over at its next attempt instead of waiting for the lease to expire. Never throws.
   */
  async release(): Promise<void> {
    this.stopController.abort();
    const wasLeading = this.leading;
    this.stepDown('released');
    await this.loop;
    if (!wasLeading) return;
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity !== this.options.identity) return;
      const spec = specOf(lease);
      delete spec.holderIdentity;
      spec.renewTime = new V1MicroTime();
      await this.replace(this.leaseWith(lease, spec));
      this.options.logger.info({ lease: this.options.leaseName }, 'leader lease released');
    } catch (err) {
      this.options.logger.warn({ err }, 'leader lease release failed; standby waits for expiry');
    }
  }

  // TODO(#4): lease requests have no timeout of their own; a request that hangs holds up the
  // loop until the server answers. Safety holds (the deadline timer steps down on our clock),
  // but re-acquiring waits for that answer.
  private async run(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted) {
      try {
        await this.attempt();
      } catch (err) {
        // The deadline timer steps down if this keeps failing; nothing else to do here.
        this.options.logger.warn({ err, leading: this.leading }, 'leader election attempt failed');
      }
      await sleep(this.renewIntervalMs, signal);
    }
  }

  private async attempt(): Promise<void> {
    const lease = await this.read();
    if (this.isStopped()) return;
    if (lease === undefined) {
      await this.create();
      return;
    }
    const changed = this.observer.observe(lease);
    const holder = lease.spec?.holderIdentity ?? undefined;
    if (changed.holderChanged) this.options.onNewLeader?.(holder === '' ? undefined : holder);

    if (holder === this.options.identity) {
      await this.update(lease, false);
      return;
    }
    if (this.leading) this.stepDown(`lease taken by ${holder ?? 'nobody'}`);
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000 || this.leaseDurationMs;
    if (holder === undefined || holder === '' || this.observer.unchangedForMs() >= durationMs) {
      await this.update(lease, true);
    }
  }

  private async create(): Promise<void> {
    const sentAt = this.now();
    const now = new V1MicroTime();
    try {
      await this.api.createNamespacedLease({
        namespace: this.options.namespace,
        body: makeLease(
          { name: this.options.leaseName, namespace: this.options.namespace },
          Object.assign(new V1LeaseSpec(), {
            holderIdentity: this.options.identity,
            leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          }),
        ),
      });
      this.renewed(sentAt);
    } catch (err) {
      if (statusCodeOf(err) === 409) return; // another replica created it first
      throw err;
    }
  }

  /** Renews our lease, or (acquire) takes a free or expired one. A 409 means someone won. */
  private async update(lease: V1Lease, acquire: boolean): Promise<void> {
    const sentAt = this.now();
    const spec = specOf(lease);
    const now = new V1MicroTime();
    spec.holderIdentity = this.options.identity;
    spec.leaseDurationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    spec.renewTime = now;
    if (acquire) {
      spec.acquireTime = now;
      spec.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    try {
      await this.replace(this.leaseWith(lease, spec));
    } catch (err) {
      if (statusCodeOf(err) === 409) {
        if (this.leading) this.stepDown('lost the lease to another writer');
        return;
      }
      throw err;
    }
    if (this.isStopped()) return;
    this.renewed(sentAt);
  }

  private renewed(sentAt: number): void {
    this.lastRenewAt = sentAt;
    clearTimeout(this.deadlineTimer);
    const leftMs = Math.max(0, sentAt + this.renewDeadlineMs - this.now());
    this.deadlineTimer = setTimeout(() => {
      this.stepDown('renew deadline passed');
    }, leftMs);
    if (!this.leading) {
      this.leading = true;
      this.options.logger.info({ identity: this.options.identity }, 'started leading');
      this.options.onStartedLeading?.();
    }
  }

  private stepDown(why: string): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (!this.leading) return;
    this.leading = false;
    this.lastRenewAt = Number.NEGATIVE_INFINITY;
    this.options.logger.warn({ identity: this.options.identity, why }, 'stopped leading');
    this.options.onStoppedLeading?.();
  }

  private isStopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({
        name: this.options.leaseName,
        namespace: this.options.namespace,
      });
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** The lease with a new spec, conditional on the resourceVersion it was read at. */
  private leaseWith(read: V1Lease, spec: V1LeaseSpec): V1Lease {
    const meta: { name: string; namespace: string; resourceVersion?: string } = {
      name: this.options.leaseName,
      namespace: this.options.namespace,
    };
    if (read.metadata?.resourceVersion !== undefined) {
      meta.resourceVersion = read.metadata.resourceVersion;
    }
    return makeLease(meta, spec);
  }

  private async replace(body: V1Lease): Promise<V1Lease> {
    return this.api.replaceNamespacedLease({
      name: this.options.leaseName,
      namespace: this.options.namespace,
      body,
    });
  }
}

/** A copy of the lease's spec that is safe to change. */
function specOf(lease: V1Lease): V1LeaseSpec {
  const spec = lease.spec;
  const copy = Object.assign(new V1LeaseSpec(), spec);
  // Typed as Dates but handed over as strings by the client; resent as MicroTime (6 digits).
  copy.acquireTime = microTime(spec?.acquireTime);
  copy.renewTime = microTime(spec?.renewTime);
  return copy;
}

function microTime(value: unknown): V1MicroTime | undefined {
  if (value instanceof Date) return new V1MicroTime(value.getTime());
  if (typeof value === 'string' && value !== '') return new V1MicroTime(value);
  return undefined;
}

/** A Lease to send; a resourceVersion in `meta` makes the write conditional on it. */
function makeLease(
  meta: { name: string; namespace: string; resourceVersion?: string },
  spec: V1LeaseSpec,
): V1Lease {
  const lease = new V1Lease();
  lease.apiVersion = 'coordination.k8s.io/v1';
  lease.kind = 'Lease';
  lease.metadata = Object.assign(new V1ObjectMeta(), meta);
  lease.spec = spec;
  return lease;
}
