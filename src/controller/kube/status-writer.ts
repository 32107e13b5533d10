import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

import { Backoff, sleep } from '../backoff.js';
import {
  ConflictRetriesExhaustedError,
  isTransient,
  KubeApiError,
  NotLeaderError,
  statusCodeOf,
} from './errors.js';
import { mergePatchBetween } from './merge-patch.js';
import { isTerminalPhase, objectKey, taskCoordinates } from './task-shape.js';
import { rereadTask } from './task-read.js';
import type { TaskObject, TaskStatusShape } from './task-shape.js';

/** The field manager every status write of the controller goes under. */
export const STATUS_FIELD_MANAGER = 'taskrouter-controller';

/** Options of {@link StatusWriter}. */
export interface StatusWriterOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Field manager of the writes. Default {@link STATUS_FIELD_MANAGER}. */
  fieldManager?: string;
  /** Attempts when the object keeps changing under us (409). Default 5. */
  maxConflictAttempts?: number;
  /** Attempts on 429, 5xx or a lost connection. Default 3, with 100 ms backoff doubling. */
  maxTransientAttempts?: number;
  /** Checked before every request; when false the write is refused with NotLeaderError. */
  canWrite?: () => boolean;
  /** Called once per 409 met (the status-conflicts metric). */
  onConflict?: () => void;
}

/** What a status write did. */
export type StatusWriteResult =
  /** Nothing to send: the object already has the desired status. */
  | { outcome: 'unchanged'; task: TaskObject }
  /** Patched; `task` is the object the server returned. */
  | { outcome: 'written'; task: TaskObject }
  /** The Task no longer exists. */
  | { outcome: 'gone' }
  /** Refused: the stored phase is terminal and the desired phase differs. */
  | { outcome: 'terminal'; task: TaskObject };

/**
 * Writes Task status as a JSON merge patch on the `/status` subresource, only when it changed.
 *
 * Each patch carries the resourceVersion of the object it was computed from, so the server
 * applies it only to that exact object. That is what makes the terminal rule hold: a late write
 * is checked against what is really stored, because a stale basis answers 409, the object is
 * read again, and the check and the patch are redone against the fresh copy.
 */
export class StatusWriter {
  private readonly api: CustomObjectsApi;
  private readonly fieldManager: string;
  private readonly maxConflictAttempts: number;
  private readonly maxTransientAttempts: number;
  private readonly patchOptions = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  constructor(private readonly options: StatusWriterOptions) {
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.fieldManager = options.fieldManager ?? STATUS_FIELD_MANAGER;
    this.maxConflictAttempts = options.maxConflictAttempts ?? 5;
    this.maxTransientAttempts = options.maxTransientAttempts ?? 3;
  }

  /**
   * Makes the Task's status equal `desired` (the whole status; absent fields are removed).
   * `current` is the caller's latest copy (usually from the informer cache). Throws
   * NotLeaderError, ConflictRetriesExhaustedError or KubeApiError; 404 is the `gone` outcome.
   */
  async write(current: TaskObject, desired: TaskStatusShape): Promise<StatusWriteResult> {
    const key = objectKey(current);
    const backoff = new Backoff({ baseDelayMs: 100, maxDelayMs: 2_000 });
    let basis = current;
    let conflicts = 0;
    let transients = 0;
    for (;;) {
      const stored = basis.status?.phase;
      if (isTerminalPhase(stored) && desired.phase !== stored) {
        this.options.logger.debug({ key, stored, desired: desired.phase }, 'terminal phase kept');
        return { outcome: 'terminal', task: basis };
      }
      const patch = mergePatchBetween(basis.status ?? {}, desired);
      if (patch === undefined) return { outcome: 'unchanged', task: basis };
      if (this.options.canWrite?.() === false) throw new NotLeaderError(key);

      try {
        const task = await this.send(basis, patch);
        return { outcome: 'written', task };
      } catch (err) {
        const code = statusCodeOf(err);
        if (code === 404) return { outcome: 'gone' };
        if (code === 409) {
          conflicts += 1;
          this.options.onConflict?.();
          if (conflicts >= this.maxConflictAttempts) {
            throw new ConflictRetriesExhaustedError(key, conflicts, { cause: err });
          }
        } else if (isTransient(err)) {
          transients += 1;
          if (transients >= this.maxTransientAttempts) {
            throw new KubeApiError(`${key}: status write failed`, { cause: err });
          }
          await sleep(backoff.next());
        } else {
          throw new KubeApiError(`${key}: status write refused`, { cause: err });
        }
      }
      const fresh = await rereadTask(
        this.api,
        basis,
        're-read after a failed status write',
        this.maxTransientAttempts,
      );
      if (fresh === undefined) return { outcome: 'gone' };
      basis = fresh;
    }
  }

  private async send(basis: TaskObject, statusPatch: unknown): Promise<TaskObject> {
    const body = {
      metadata: { resourceVersion: basis.metadata?.resourceVersion },
      status: statusPatch,
    };
    return (await this.api.patchNamespacedCustomObjectStatus(
      {
        ...taskCoordinates(basis),
        body,
        fieldManager: this.fieldManager,
      },
      this.patchOptions,
    )) as TaskObject;
  }
}
