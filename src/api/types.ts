import type { Phase } from './phases.js';

/** How a Task's command runs on the agent. */
export type Executor = 'PROCESS' | 'SHELL';

/** The executors, in the order the CRD lists them; PROCESS is the default. */
export const EXECUTORS: readonly Executor[] = ['PROCESS', 'SHELL'];

/** One environment variable for the command. */
export interface EnvVar {
  /** A C identifier. */
  name: string;
  /** Empty when omitted. */
  value?: string;
}

/** What a Task takes from an agent's capacity, as Kubernetes quantities (`500m`, `64Mi`). */
export interface TaskResources {
  cpu?: string | number;
  memory?: string | number;
}

/** Operators of a label selector requirement. */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One requirement of a label selector. */
export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  /** Non-empty for In and NotIn, empty for Exists and DoesNotExist. */
  values?: string[];
}

/** The standard Kubernetes label selector; empty or absent matches everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** What to run and where it may run (`spec` of a Task). */
export interface TaskSpec {
  /** Defaults to PROCESS. */
  executor?: Executor;
  /** The program (PROCESS) or script (SHELL). */
  command: string;
  /** Delivered byte-exact. */
  args?: string[];
  env?: EnvVar[];
  workingDir?: string;
  resources?: TaskResources;
  agentSelector?: LabelSelector;
  /** Per attempt, 1 to 604800; no limit when absent. */
  timeoutSeconds?: number;
  /** Further attempts after a retryable failure, 0 to 10; defaults to 0. */
  retries?: number;
  /** Higher first when capacity is short; defaults to 0. */
  priority?: number;
  /** Delete the Task this long after it ends; kept when absent. */
  ttlSecondsAfterFinished?: number;
}

/** `True`, `False` or `Unknown`. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** The standard `metav1.Condition` shape. */
export interface Condition {
  /** CamelCase, e.g. `Succeeded`. */
  type: string;
  status: ConditionStatus;
  /** The generation the condition was set for. */
  observedGeneration?: number;
  /** RFC 3339, seconds precision; changes only when `status` changes. */
  lastTransitionTime: string;
  /** CamelCase. */
  reason: string;
  /** May be empty. */
  message: string;
}

/** What happened to a Task (`status`), written by the controller through `/status`. */
export interface TaskStatus {
  phase?: Phase;
  /** Instance id of the agent of the latest attempt. */
  agent?: string;
  attempts?: number;
  /** RFC 3339. */
  startTime?: string;
  /** RFC 3339. */
  completionTime?: string;
  exitCode?: number;
  /** e.g. `SIGKILL`. */
  signal?: string;
  /** CamelCase; see `Reasons`. */
  reason?: string;
  message?: string;
  /** Tail of stdout and stderr, at most `MAX_OUTPUT_CHARS`. */
  output?: string;
  outputTruncated?: boolean;
  observedGeneration?: number;
  conditions?: Condition[];
}

/** The object metadata fields task-router reads and writes. */
export interface TaskMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

/** A Task object as stored and served. */
export interface Task {
  apiVersion: string;
  kind: string;
  metadata: TaskMetadata;
  spec: TaskSpec;
  status?: TaskStatus;
}
