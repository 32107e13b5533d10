import { randomBytes } from 'node:crypto';

import {
  EventsV1Api,
  EventsV1Event,
  V1MicroTime,
  V1ObjectMeta,
  V1ObjectReference,
} from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

import { TokenBucket } from './token-bucket.js';
import type { KubeObject } from './task-shape.js';

/** The reportingController of every Event we write. */
export const REPORTING_CONTROLLER = 'taskrouter.io/controller';

/** Event reasons the controller records. CamelCase, a fixed set. */
export const EventReason = {
  Dispatched: 'Dispatched',
  Retrying: 'Retrying',
  TimedOut: 'TimedOut',
  Failed: 'Failed',
  Completed: 'Completed',
  Cancelled: 'Cancelled',
} as const;

/** One Event to record about an object. */
export interface EventInput {
  type: 'Normal' | 'Warning';
  /** CamelCase reason, e.g. `Dispatched`. */
  reason: string;
  /** What was done, e.g. `Dispatch`, `Retry`, `Cancel`. */
  action: string;
  /** Human-readable detail; cut to 1 KiB as the API requires. */
  note: string;
}

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** This replica's name, e.g. the pod name. */
  reportingInstance: string;
  /** Events allowed in a burst. Default 25. */
  burst?: number;
  /** Sustained Events per second. Default 5. */
  perSecond?: number;
  /** Checked before each Event; when false the Event is dropped (a deposed leader stays quiet). */
  canWrite?: () => boolean;
  /** Called when an Event is dropped because of the rate limit. */
  onDropped?: () => void;
  /** Called when writing an Event failed. */
  onFailed?: () => void;
}

const NOTE_LIMIT = 1024;

/**
 * Records Kubernetes Events (`events.k8s.io/v1`) about Tasks. Events are a courtesy to people
 * running `kubectl describe`: recording never throws into the caller and never blocks it, and a
 * token bucket keeps a storm of Tasks from becoming a storm of writes (extra Events are dropped
 * and counted).
 */
export class EventRecorder {
  private readonly api: EventsV1Api;
  private readonly bucket: TokenBucket;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: EventRecorderOptions) {
    this.api = options.kubeConfig.makeApiClient(EventsV1Api);
    this.bucket = new TokenBucket({
      capacity: options.burst ?? 25,
      refillPerSecond: options.perSecond ?? 5,
    });
  }

  /** Records an Event about `regarding` in the background. */
  record(regarding: KubeObject, input: EventInput): void {
    if (this.options.canWrite?.() === false) return;
    if (!this.bucket.tryTake()) {
      this.options.onDropped?.();
      this.options.logger.debug({ reason: input.reason }, 'event dropped by rate limit');
      return;
    }
    const pending = this.create(regarding, input);
    this.inFlight.add(pending);
    void pending.finally(() => this.inFlight.delete(pending));
  }

  /** Resolves once every Event recorded so far has been written or has failed. */
  async flush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async create(regarding: KubeObject, input: EventInput): Promise<void> {
    const meta = regarding.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const name = `${meta.name ?? 'object'}.${Date.now().toString(16)}${randomBytes(4).toString('hex')}`;
    const body = Object.assign(new EventsV1Event(), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: Object.assign(new V1ObjectMeta(), { name, namespace }),
      eventTime: new V1MicroTime(),
      type: input.type,
      reason: input.reason,
      action: input.action,
      note: input.note.length > NOTE_LIMIT ? input.note.slice(0, NOTE_LIMIT) : input.note,
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.options.reportingInstance,
      regarding: Object.assign(new V1ObjectReference(), {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      }),
    });
    try {
      await this.api.createNamespacedEvent({ namespace, body });
    } catch (err) {
      this.options.onFailed?.();
      this.options.logger.debug({ err, reason: input.reason }, 'event write failed');
    }
  }
}
