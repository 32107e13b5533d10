/** Typed error codes carried in ERROR replies; see docs/protocol.md. */
export const ErrorCode = {
  /** A frame is missing, extra, not UTF-8, or holds a value of the wrong form. */
  BadFrame: 'BAD_FRAME',
  /** The verb frame names no verb this peer serves. */
  UnknownVerb: 'UNKNOWN_VERB',
  /** The version frame is not the version this peer speaks. */
  VersionMismatch: 'VERSION_MISMATCH',
  /** The agent's bounded queue is full; route the task elsewhere. */
  QueueFull: 'QUEUE_FULL',
  /** The task asks for more than the agent has in total, or an executor it does not offer. */
  Unsupported: 'UNSUPPORTED',
  /** The peer is not allowed to do this (for example an unknown agent on HEARTBEAT). */
  Unauthorized: 'UNAUTHORIZED',
  /** The principal is a standby; the detail frame holds the leader's endpoint. */
  Redirect: 'REDIRECT',
  /** The principal does not know this agent (it restarted); the agent must REGISTER again. */
  UnknownAgent: 'UNKNOWN_AGENT',
  /** CANCEL for a task the agent neither holds nor remembers. */
  NotFound: 'NOT_FOUND',
  /** The agent is draining and takes no new work. */
  ShuttingDown: 'SHUTTING_DOWN',
  /** A bug or an unexpected failure on the replying side. */
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const CODES = new Set<string>(Object.values(ErrorCode));

/** True when `value` is one of the known error codes. */
export function isErrorCode(value: string): value is ErrorCode {
  return CODES.has(value);
}

/**
 * Raised by the codec for any malformed input. `frame` is the zero-based index of the frame at
 * fault (after the routing envelope), or -1 when the fault is the message as a whole.
 * `requestId` is set when the request id frame could be read, so a server can still correlate
 * its ERROR reply.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly frame: number,
    readonly requestId = '',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
