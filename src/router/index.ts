export { Router } from './router.js';
export type { RouterOptions } from './router.js';
export { compareRoom, fitsCapacity, fitsNow, fitsQueue } from './room.js';
export { matchesSelector, validateSelector } from './selector.js';
export { taskDemand } from './demand.js';
export type { DemandSource } from './demand.js';
export {
  InvalidAgentError,
  InvalidDemandError,
  InvalidSelectorError,
  NoRoomError,
  UnknownAgentError,
} from './errors.js';
export type {
  AgentSpec,
  AgentView,
  LabelSelector,
  LabelSelectorRequirement,
  PickResult,
  Reservation,
  ReservationMode,
  Room,
  TaskDemand,
} from './types.js';
