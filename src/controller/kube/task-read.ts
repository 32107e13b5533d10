import type { CustomObjectsApi } from '@kubernetes/client-node';
import { Backoff, sleep } from '../backoff.js';
import { isTransient, KubeApiError, statusCodeOf } from './errors.js';
import { objectKey, taskCoordinates } from './task-shape.js';
import type { TaskObject } from './task-shape.js';

/**
 * Reads the stored copy of a Task after a write met a stale basis; undefined when it is gone.
 * Transient failures (429, 5xx, a lost connection) are tried `attempts` times in all; anything
 * else is a KubeApiError saying `why` the read was made.
 */
export async function rereadTask(
  api: CustomObjectsApi,
  basis: TaskObject,
  why: string,
  attempts: number,
): Promise<TaskObject | undefined> {
  const backoff = new Backoff({ baseDelayMs: 100, maxDelayMs: 2_000 });
  for (let attempt = 1; ; attempt++) {
    try {
      return (await api.getNamespacedCustomObject(taskCoordinates(basis))) as TaskObject;
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      if (!isTransient(err) || attempt >= attempts) {
        throw new KubeApiError(`${objectKey(basis)}: ${why}`, { cause: err });
      }
      await sleep(backoff.next());
    }
  }
}
