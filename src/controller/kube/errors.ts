/**
 * Errors the Kubernetes API side raises to its callers. Each names an outcome the caller acts on
 * and keeps the API failure as `cause`.
 */

/** The HTTP status code of a failed API call, whichever client path raised it. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  // ApiException carries `code`; the watch helper puts `statusCode` on a plain Error.
  const record = err as { code?: unknown; statusCode?: unknown };
  if (typeof record.code === 'number') return record.code;
  if (typeof record.statusCode === 'number') return record.statusCode;
  return undefined;
}

/** True for failures worth retrying as they are: throttling, server errors, lost connections. */
export function isTransient(err: unknown): boolean {
  const code = statusCodeOf(err);
  if (code === undefined) return true;
  return code === 429 || code >= 500;
}

/** An API call failed in a way the caller cannot fix by retrying at once. */
export class KubeApiError extends Error {
  /** HTTP status code, or undefined when no response came (connection refused, reset). */
  readonly code: number | undefined;

  constructor(message: string, options: { cause: unknown }) {
    const code = statusCodeOf(options.cause);
    super(code === undefined ? message : `${message}: HTTP ${code}`, options);
    this.name = 'KubeApiError';
    this.code = code;
  }
}

/** A write kept meeting `409 Conflict` after re-reading the object every time. */
export class ConflictRetriesExhaustedError extends Error {
  constructor(
    readonly key: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(`${key}: still conflicting after ${attempts} attempts`, options);
    this.name = 'ConflictRetriesExhaustedError';
  }
}

/** A write was refused because this replica is not (or no longer) the leader. */
export class NotLeaderError extends Error {
  constructor(readonly key: string) {
    super(`${key}: not the leader, write skipped`);
    this.name = 'NotLeaderError';
  }
}

/** An option failed validation; the message names the field, what was expected and what came. */
export class KubeOptionError extends Error {
  constructor(field: string, expected: string, got: unknown) {
    super(`${field}: expected ${expected}, got ${JSON.stringify(got)}`);
    this.name = 'KubeOptionError';
  }
}
