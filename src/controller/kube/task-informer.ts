import { CustomObjectsApi, Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

import { Backoff, sleep } from '../backoff.js';
import type { BackoffOptions } from '../backoff.js';
import { KubeOptionError } from './errors.js';
import { diffSnapshot } from './informer-diff.js';
import { objectKey, TASK_GROUP, TASK_PLURAL, TASK_VERSION } from './task-shape.js';
import type { KubeObject, TaskObject } from './task-shape.js';
import { runWatch } from './watch-once.js';
import type { WatchOutcome } from './watch-once.js';

/** Callbacks of an informer. A handler that throws is logged and does not stop the informer. */
export interface InformerHandlers<T> {
  onAdd?(key: string, obj: T): void;
  onUpdate?(key: string, obj: T, old: T): void;
  onDelete?(key: string, obj: T): void;
}

/** Options of {@link ResourceInformer}. */
export interface ResourceInformerOptions<T> {
  kubeConfig: KubeConfig;
  logger: Logger;
  group: string;
  version: string;
  plural: string;
  /** Watch one namespace only; default all namespaces. */
  namespace?: string;
  handlers?: InformerHandlers<T>;
  /**
   * Restart the watch when nothing at all (not even a bookmark) arrived for this long, in ms.
   * Default 60000. Must exceed the server's bookmark interval.
   */
  watchIdleTimeoutMs?: number;
  /**
   * Ask the server to end each watch after this many seconds; the informer then resumes from
   * the last resourceVersion. Default 300; a random part up to the same again is added so
   * replicas do not reconnect together.
   */
  watchTimeoutSeconds?: number;
  /** Page size of the list, in objects. Default 500. */
  listPageSize?: number;
  /** Backoff between failed lists and watches. Default 200 ms growing to 30 s. */
  backoff?: BackoffOptions;
  /** Called on each watch restart, with why (for metrics). */
  onRestart?(reason: 'idle' | 'gone' | 'error' | 'closed'): void;
}

/**
 * A list-then-watch cache of one custom resource. It never stops on its own: a silent watch is
 * restarted by a watchdog, `410 Gone` leads to a relist, and any other failure or close restarts
 * the watch with capped exponential backoff. A relist reports only real changes, so replays of
 * unchanged objects cause no work downstream.
 */
export class ResourceInformer<T extends KubeObject> {
  private readonly api: CustomObjectsApi;
  private readonly watch: Watch;
  private readonly cache = new Map<string, T>();
  private readonly backoff: Backoff;
  private readonly idleMs: number;
  private readonly timeoutSeconds: number;
  private readonly pageSize: number;
  private readonly stopController = new AbortController();
  private synced = false;
  private loop: Promise<void> | undefined;
  private syncWaiters: (() => void)[] = [];
  private abortWatch: (() => void) | undefined;

  constructor(private readonly options: ResourceInformerOptions<T>) {
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.watch = new Watch(options.kubeConfig);
    this.backoff = new Backoff({ baseDelayMs: 200, maxDelayMs: 30_000, ...options.backoff });
    this.idleMs = positive('watchIdleTimeoutMs', options.watchIdleTimeoutMs ?? 60_000);
    this.timeoutSeconds = positive('watchTimeoutSeconds', options.watchTimeoutSeconds ?? 300);
    this.pageSize = positive('listPageSize', options.listPageSize ?? 500);
  }

  /**
   * Starts listing and watching; resolves once the first list is in the cache (or at once if
   * `stop()` was called). Failing lists are retried for ever, so callers that need a bound race
   * this with their own timeout.
   */
  start(): Promise<void> {
    this.loop ??= this.run();
    if (this.synced || this.stopController.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Ends the watch and the loop; resolves when the loop has exited. */
  async stop(): Promise<void> {
    this.stopController.abort();
    this.abortWatch?.();
    this.releaseWaiters();
    await this.loop;
  }

  /** True once the first list has filled the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The cached object under `namespace/name`, if any. */
  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** Every cached object. */
  list(): T[] {
    return [...this.cache.values()];
  }

  private isStopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    const log = this.options.logger;
    let resourceVersion: string | undefined;
    while (!this.isStopped()) {
      if (resourceVersion === undefined) {
        try {
          resourceVersion = await this.relist();
          this.markSynced();
        } catch (err) {
          const delayMs = this.backoff.next();
          log.warn({ err, delayMs }, 'informer list failed');
          await sleep(delayMs, this.stopController.signal);
          continue;
        }
      }
      const outcome = await this.watchFrom(resourceVersion);
      if (this.isStopped()) break;
      resourceVersion = outcome.resourceVersion;
      const delayMs = this.afterWatch(outcome);
      if (outcome.kind === 'gone') resourceVersion = undefined;
      if (delayMs > 0) await sleep(delayMs, this.stopController.signal);
    }
  }

  /** Logs and counts a finished watch; returns how long to wait before the next one, in ms. */
  private afterWatch(outcome: WatchOutcome): number {
    const log = this.options.logger;
    this.options.onRestart?.(outcome.kind);
    switch (outcome.kind) {
      case 'idle':
        log.warn({ idleMs: this.idleMs }, 'informer watch silent, restarting');
        return 0;
      case 'gone':
        log.info('informer watch expired (410), relisting');
        return 0;
      case 'closed':
        // A watch that delivered events ended normally (server timeout); one that delivered
        // nothing may be a server dropping us at once, so back off to avoid a hot loop.
        if (outcome.events > 0) {
          this.backoff.reset();
          return 0;
        }
        log.debug('informer watch closed without events');
        return this.backoff.next();
      case 'error': {
        const delayMs = this.backoff.next();
        log.warn({ err: outcome.error, delayMs }, 'informer watch failed, restarting');
        return delayMs;
      }
    }
  }

  private async watchFrom(resourceVersion: string): Promise<WatchOutcome> {
    const jitter = Math.floor(Math.random() * this.timeoutSeconds);
    const { outcome, abort } = runWatch({
      watch: this.watch,
      path: this.basePath(),
      query: {
        resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.timeoutSeconds + jitter,
      },
      idleMs: this.idleMs,
      onEvent: (type, obj) => {
        this.apply(type, obj as T);
      },
    });
    this.abortWatch = abort;
    try {
      return await outcome;
    } finally {
      this.abortWatch = undefined;
    }
  }

  private apply(type: string, obj: T): void {
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (type === 'DELETED') {
      this.cache.delete(key);
      this.notify('onDelete', key, old ?? obj);
      return;
    }
    if (old !== undefined && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) {
      return; // a replay of what we already hold
    }
    this.cache.set(key, obj);
    if (old === undefined) this.notify('onAdd', key, obj);
    else this.notify('onUpdate', key, obj, old);
  }

  /** Lists everything, replaces the cache and reports only the differences. */
  private async relist(): Promise<string> {
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = (await this.listPage(token)) as {
        items?: T[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?.continue;
    } while (token !== undefined && token !== '' && !this.isStopped());

    const changes = diffSnapshot(this.cache, items);
    for (const change of changes) {
      if (change.type === 'delete') {
        this.cache.delete(change.key);
        this.notify('onDelete', change.key, change.obj);
      } else {
        this.cache.set(change.key, change.obj);
        if (change.type === 'add') this.notify('onAdd', change.key, change.obj);
        else this.notify('onUpdate', change.key, change.obj, change.old);
      }
    }
    this.options.logger.debug(
      { objects: items.length, changes: changes.length },
      'informer listed',
    );
    return resourceVersion;
  }

  private listPage(token: string | undefined): Promise<unknown> {
    const { group, version, plural, namespace } = this.options;
    const paging = { limit: this.pageSize, _continue: token };
    if (namespace === undefined) {
      return this.api.listCustomObjectForAllNamespaces({ group, version, plural, ...paging });
    }
    return this.api.listNamespacedCustomObject({ group, version, plural, namespace, ...paging });
  }

  private basePath(): string {
    const { group, version, plural, namespace } = this.options;
    const ns = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
    return `/apis/${group}/${version}${ns}/${plural}`;
  }

  private notify(kind: 'onAdd' | 'onDelete', key: string, obj: T): void;
  private notify(kind: 'onUpdate', key: string, obj: T, old: T): void;
  private notify(kind: keyof InformerHandlers<T>, key: string, obj: T, old?: T): void {
    const handlers = this.options.handlers;
    if (handlers === undefined) return;
    try {
      if (kind === 'onUpdate' && old !== undefined) handlers.onUpdate?.(key, obj, old);
      else if (kind === 'onAdd') handlers.onAdd?.(key, obj);
      else if (kind === 'onDelete') handlers.onDelete?.(key, obj);
    } catch (err) {
      this.options.logger.error({ err, key, handler: kind }, 'informer handler threw');
    }
  }

  private markSynced(): void {
    this.backoff.reset();
    if (this.synced) return;
    this.synced = true;
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Options of {@link createTaskInformer}: those of the generic informer less the resource. */
export type TaskInformerOptions = Omit<
  ResourceInformerOptions<TaskObject>,
  'group' | 'version' | 'plural'
>;

/** The informer over Tasks. */
export type TaskInformer = ResourceInformer<TaskObject>;

/** Builds the Task informer. */
export function createTaskInformer(options: TaskInformerOptions): TaskInformer {
  return new ResourceInformer<TaskObject>({
    ...options,
    group: TASK_GROUP,
    version: TASK_VERSION,
    plural: TASK_PLURAL,
  });
}

function positive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new KubeOptionError(field, 'a positive number', value);
  return value;
}
