/** The agent and the ZeroMQ transport pieces the controller reuses. */
export { Agent, type AgentOptions } from './agent.js';
export { DEFAULT_TASK_NICE } from './niceness.js';
export {
  RouterServer,
  type Handler,
  type Incoming,
  type RouterServerOptions,
} from './router-server.js';
export {
  RequestClient,
  RequestTimeoutError,
  ConnectionResetError,
  type RequestClientOptions,
} from './request-client.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
export { ZapHandler, type CurveClientKeys, type CurveServerKeys } from './curve.js';
export {
  TaskManager,
  type TaskManagerOptions,
  type TaskReport,
  type FreeRoom,
} from './task-manager.js';
export { TaskRejectedError } from './task-errors.js';
export { startTask, type ExecResult, type ExecutorOptions, type RunningTask } from './executor.js';
export { OutputTail } from './output-tail.js';
export {
  InlineLauncher,
  HelperLauncher,
  type HelperLauncherOptions,
  helperLauncherAvailable,
  type Launcher,
} from './launcher.js';
