/** The controller's Kubernetes API side: what the reconciler uses to read and write the cluster. */
export { loadKubeConfig } from './kube-config.js';
export type { KubeConfigSource } from './kube-config.js';
export { createTaskInformer, ResourceInformer } from './task-informer.js';
export type {
  InformerHandlers,
  ResourceInformerOptions,
  TaskInformer,
  TaskInformerOptions,
} from './task-informer.js';
export { StatusWriter, STATUS_FIELD_MANAGER } from './status-writer.js';
export type { StatusWriteResult, StatusWriterOptions } from './status-writer.js';
export { TaskFinalizers } from './finalizers.js';
export type { TaskFinalizersOptions } from './finalizers.js';
export { EventReason, EventRecorder, REPORTING_CONTROLLER } from './event-recorder.js';
export type { EventInput, EventRecorderOptions } from './event-recorder.js';
export { LeaderElector } from './leader-elector.js';
export type { LeaderElectorOptions } from './leader-elector.js';
export { LEADER_LABEL, podIdentityFromEnv, setLeaderLabel } from './leader-label.js';
export type { PodIdentity } from './leader-label.js';
export {
  ConflictRetriesExhaustedError,
  isTransient,
  KubeApiError,
  KubeOptionError,
  NotLeaderError,
  statusCodeOf,
} from './errors.js';
export { jsonEqual, mergePatchBetween } from './merge-patch.js';
export {
  CANCEL_FINALIZER,
  isTerminalPhase,
  objectKey,
  taskCoordinates,
  TASK_GROUP,
  TASK_PLURAL,
  TASK_VERSION,
} from './task-shape.js';
export type { KubeObject, KubeObjectMeta, TaskObject, TaskStatusShape } from './task-shape.js';
export { warnIfCrdStale } from './crd-check.js';
