import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';

import { Backoff, sleep } from '../backoff.js';
import {
  ConflictRetriesExhaustedError,
  isTransient,
  KubeApiError,
  NotLeaderError,
  statusCodeOf,
} from './errors.js';
import { CANCEL_FINALIZER, objectKey, taskCoordinates } from './task-shape.js';
import type { TaskObject } from './task-shape.js';
import { rereadTask } from './task-read.js';

/** Options of {@link TaskFinalizers}. */
export interface TaskFinalizersOptions {
  kubeConfig: KubeConfig;
  /** The finalizer name. Default `taskrouter.io/cancel`. */
  finalizer?: string;
  /** Attempts when the object keeps changing (409) or the server fails (5xx). Default 5. */
  maxAttempts?: number;
  /** Checked before every request; when false the change is refused with NotLeaderError. */
  canWrite?: () => boolean;
  /** Field manager of the writes. Default `taskrouter-controller`. */
  fieldManager?: string;
}

/**
 * Adds and removes the cancel finalizer on Tasks. Each change is a merge patch of the whole
 * finalizer list with the resourceVersion it was computed from as a precondition, so another
 * writer's finalizer is never lost: a stale basis answers 409 and the change is redone on a
 * fresh read.
 */
export class TaskFinalizers {
  private readonly api: CustomObjectsApi;
  private readonly finalizer: string;
  private readonly maxAttempts: number;
  private readonly patchOptions = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  constructor(private readonly options: TaskFinalizersOptions) {
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.finalizer = options.finalizer ?? CANCEL_FINALIZER;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** True when the Task carries our finalizer. */
  has(task: TaskObject): boolean {
    return task.metadata?.finalizers?.includes(this.finalizer) ?? false;
  }

  /**
   * Adds the finalizer unless present or the Task is already being deleted (the API refuses new
   * finalizers then). Returns the updated object, the given one when nothing was needed, or
   * undefined when the Task is gone.
   */
  ensure(task: TaskObject): Promise<TaskObject | undefined> {
    return this.change(task, (t) => {
      if (this.has(t) || t.metadata?.deletionTimestamp !== undefined) return undefined;
      return [...(t.metadata?.finalizers ?? []), this.finalizer];
    });
  }

  /**
   * Removes the finalizer. Returns the updated object (undefined when the removal let the
   * deletion finish or the Task was already gone).
   */
  remove(task: TaskObject): Promise<TaskObject | undefined> {
    return this.change(task, (t) => {
      if (!this.has(t)) return undefined;
      return (t.metadata?.finalizers ?? []).filter((f) => f !== this.finalizer);
    });
  }

  private async change(
    task: TaskObject,
    next: (t: TaskObject) => string[] | undefined,
  ): Promise<TaskObject | undefined> {
    const key = objectKey(task);
    const backoff = new Backoff({ baseDelayMs: 100, maxDelayMs: 2_000 });
    let basis = task;
    for (let attempt = 1; ; attempt++) {
      const finalizers = next(basis);
      if (finalizers === undefined) return basis;
      if (this.options.canWrite?.() === false) throw new NotLeaderError(key);
      try {
        const updated = await this.patch(basis, finalizers);
        // Removing the last finalizer of a deleted object deletes it; the reply is then a final
        // copy or a Status, and either way the Task is gone for us.
        return finalizers.length === 0 && basis.metadata?.deletionTimestamp !== undefined
          ? undefined
          : updated;
      } catch (err) {
        const code = statusCodeOf(err);
        if (code === 404) return undefined;
        if (code !== 409 && !isTransient(err)) {
          throw new KubeApiError(`${key}: finalizer change refused`, { cause: err });
        }
        if (attempt >= this.maxAttempts) {
          if (code === 409) throw new ConflictRetriesExhaustedError(key, attempt, { cause: err });
          throw new KubeApiError(`${key}: finalizer change failed`, { cause: err });
        }
        if (code !== 409) await sleep(backoff.next());
      }
      const fresh = await rereadTask(this.api, basis, 're-read for a finalizer change', 1);
      if (fresh === undefined) return undefined;
      basis = fresh;
    }
  }

  private async patch(basis: TaskObject, finalizers: string[]): Promise<TaskObject> {
    return (await this.api.patchNamespacedCustomObject(
      {
        ...taskCoordinates(basis),
        body: {
          metadata: {
            resourceVersion: basis.metadata?.resourceVersion,
            finalizers: finalizers.length === 0 ? null : finalizers,
          },
        },
        fieldManager: this.options.fieldManager ?? 'taskrouter-controller',
      },
      this.patchOptions,
    )) as TaskObject;
  }
}
