// The Task API: constants, types, phases, reasons and condition helpers in one import.
export * from './constants.js';
export * from './types.js';
export * from './phases.js';
export * from './reasons.js';
export * from './conditions.js';
export * from './resources.js';
export { QuantityError, parseCpuMillis, parseMemoryBytes } from './quantity.js';
