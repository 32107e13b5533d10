/** API group of every task-router resource. */
export const GROUP = 'taskrouter.io';

/** The served and stored version. */
export const VERSION = 'v1alpha1';

/** `apiVersion` as written in manifests. */
export const API_VERSION = `${GROUP}/${VERSION}`;

export const KIND = 'Task';
export const LIST_KIND = 'TaskList';
export const PLURAL = 'tasks';
export const SINGULAR = 'task';

/** Short name for kubectl; `tasks` and `task` are taken by Tekton, so ours is distinct. */
export const SHORT_NAME = 'trt';

/** `kubectl get taskrouter` lists every kind in this category. */
export const CATEGORY = 'taskrouter';

/** The CRD's own name, `<plural>.<group>`. */
export const CRD_NAME = `${PLURAL}.${GROUP}`;

/** Held on a Task until its running process is cancelled on the agent, so delete means cancel. */
export const CANCEL_FINALIZER = 'taskrouter.io/cancel';

/** Largest `status.output` in characters (16 KiB); the CRD enforces the same bound. */
export const MAX_OUTPUT_CHARS = 16384;

/** Largest `status.message` in characters; the CRD enforces the same bound. */
export const MAX_MESSAGE_CHARS = 32768;
