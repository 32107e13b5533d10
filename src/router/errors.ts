/** Raised when a label selector breaks the Kubernetes rules for its operators. */
export class InvalidSelectorError extends Error {
  override readonly name = 'InvalidSelectorError';
}

/** Raised when an operation names an agent the router does not hold. */
export class UnknownAgentError extends Error {
  override readonly name = 'UnknownAgentError';

  constructor(
    readonly agentId: string,
    options?: { cause?: unknown },
  ) {
    super(`unknown agent "${agentId}"`, options);
  }
}

/** Raised when agent or task numbers are not non-negative safe integers, */
export class InvalidAgentError extends Error {
  override readonly name = 'InvalidAgentError';
}

/** Raised by `Router.reserve` when the agent lacks the room the task needs. */
export class NoRoomError extends Error {
  override readonly name = 'NoRoomError';

  constructor(
    readonly agentId: string,
    options?: { cause?: unknown },
  ) {
    super(`agent "${agentId}" has no room for the task`, options);
  }
}

/** Raised when a task's demand holds a number that is not a non-negative safe integer. */
export class InvalidDemandError extends Error {
  override readonly name = 'InvalidDemandError';
}
