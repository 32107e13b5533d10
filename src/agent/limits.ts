/**
 * Default cap on one inbound ZeroMQ frame and on one whole request, in bytes: 8 MiB. A RUNTASK's
 * arguments cannot pass the system's exec limit (a few MiB at most) and a report's output is a
 * 16 KiB tail, so nothing real comes near it; without a cap one peer could make a server hold
 * gigabytes.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
