/**
 * The parts of the Task object the API side reads and writes. Kept minimal and structural so the
 * API side does not depend on every field of the Task types.
 */

import { CANCEL_FINALIZER, GROUP, isPhase, isTerminal, PLURAL, VERSION } from '../../api/index.js';
import type { TaskStatus } from '../../api/index.js';

/** API group of the Task resource. */
export const TASK_GROUP = GROUP;
/** API version of the Task resource. */
export const TASK_VERSION = VERSION;
/** Plural resource name of Task. */
export const TASK_PLURAL = PLURAL;
export { CANCEL_FINALIZER };

/** True when `phase` is final (Complete or Failed); anything not a known phase is not. */
export function isTerminalPhase(phase: unknown): boolean {
  return isPhase(phase) && isTerminal(phase);
}

/** Object metadata fields this library relies on. */
export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  finalizers?: string[];
  deletionTimestamp?: string;
  labels?: Record<string, string>;
}

/** Any namespaced API object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
}

/** A Task status as plain JSON; `phase` is the only field this library interprets. */
export type TaskStatusShape = TaskStatus;

/** A Task as it comes from the API. */
export interface TaskObject extends KubeObject {
  spec?: object;
  status?: TaskStatusShape;
}

/** The cache and work-queue key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace;
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

/** Where a Task lives, in the shape CustomObjectsApi's calls take. */
export interface TaskCoordinates {
  group: string;
  version: string;
  plural: string;
  namespace: string;
  name: string;
}

/** The API coordinates of a Task object. */
export function taskCoordinates(t: KubeObject): TaskCoordinates {
  return {
    group: TASK_GROUP,
    version: TASK_VERSION,
    plural: TASK_PLURAL,
    namespace: t.metadata?.namespace ?? '',
    name: t.metadata?.name ?? '',
  };
}
