import type { EnvVar, TaskRef } from './messages.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `[{"name": "...", "value": "..."}, ...]` */
export function isEnvList(value: unknown): value is EnvVar[] {
  return (
    Array.isArray(value) &&
    value.every(
      (e) =>
        isRecord(e) &&
        typeof e.name === 'string' &&
        typeof e.value === 'string' &&
        Object.keys(e).length === 2,
    )
  );
}

/** `{"key": "value", ...}` with string values only. */
export function isLabels(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** `[{"uid": "...", "attempt": 0}, ...]` */
export function isTaskRefs(value: unknown): value is TaskRef[] {
  return (
    Array.isArray(value) &&
    value.every(
      (e) =>
        isRecord(e) &&
        typeof e.uid === 'string' &&
        typeof e.attempt === 'number' &&
        Number.isSafeInteger(e.attempt) &&
        e.attempt >= 0,
    )
  );
}

/** Executor names as one comma-separated frame, e.g. `PROCESS,SHELL`. */
export function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
