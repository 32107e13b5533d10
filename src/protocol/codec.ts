import { ErrorCode, ProtocolError, isErrorCode } from './errors.js';
import { FrameReader, countText, encodeText } from './fields.js';
import { isEnvList, isLabels, isTaskRefs } from './json-shapes.js';
import {
  ENV_NAME,
  EXECUTORS,
  MAX_TIMEOUT_MS,
  PROTOCOL_VERSION,
  TASK_STATES,
  TaskReason,
  type EnvVar,
  type Executor,
  type Reply,
  type Request,
  type StatusReport,
} from './messages.js';

/** A request with the id its sender uses to match the reply. */
export interface Envelope<T> {
  readonly requestId: string;
  readonly body: T;
}

const REASONS: readonly TaskReason[] = Object.values(TaskReason);

function text(values: readonly string[]): Buffer[] {
  return values.map((v, i) => encodeText(v, `frame ${i}`));
}

function optional(value: number | null): string {
  return value === null ? '' : String(value);
}

function requestFields(body: Request): string[] {
  switch (body.verb) {
    case 'RUNTASK':
      return [
        body.uid,
        countText(body.attempt, 'attempt'),
        body.executor,
        body.command,
        body.workingDir,
        countText(body.timeoutMs, 'timeoutMs'),
        countText(body.cpuMillis, 'cpuMillis'),
        countText(body.memoryBytes, 'memoryBytes'),
        JSON.stringify(body.env.map((e) => ({ name: e.name, value: e.value }))),
        ...body.args,
      ];
    case 'CANCEL':
      return [body.uid, countText(body.attempt, 'attempt')];
    case 'PING':
      return [];
    case 'REGISTER':
      return [
        body.instanceId,
        body.endpoint,
        countText(body.capacity.slots, 'slots'),
        countText(body.capacity.cpuMillis, 'cpuMillis'),
        countText(body.capacity.memoryBytes, 'memoryBytes'),
        countText(body.capacity.queueLength, 'queueLength'),
        body.executors.join(','),
        JSON.stringify(body.labels),
        heldJson(body.held),
      ];
    case 'HEARTBEAT':
      return [
        body.instanceId,
        countText(body.freeSlots, 'freeSlots'),
        countText(body.freeCpuMillis, 'freeCpuMillis'),
        countText(body.freeMemoryBytes, 'freeMemoryBytes'),
        countText(body.queued, 'queued'),
        heldJson(body.held),
      ];
    case 'STATUS':
      return statusFields(body);
  }
}

function heldJson(held: readonly { uid: string; attempt: number }[]): string {
  return JSON.stringify(held.map((t) => ({ uid: t.uid, attempt: t.attempt })));
}

function statusFields(s: StatusReport): string[] {
  return [
    s.instanceId,
    s.uid,
    countText(s.attempt, 'attempt'),
    countText(s.seq, 'seq'),
    s.state,
    s.reason,
    s.message,
    optional(s.exitCode),
    s.signal ?? '',
    optional(s.startTimeMs),
    optional(s.endTimeMs),
    s.outputTruncated ? '1' : '0',
    s.output,
  ];
}

/**
 * Frames of a request: `[version, verb, requestId, ...fields]`. The caller adds any routing
 * envelope (a DEALER talking to a ROUTER puts an empty delimiter frame first).
 * Throws ProtocolError for values that cannot be encoded (lone surrogates, negative counts).
 */
export function encodeRequest(requestId: string, body: Request): Buffer[] {
  return text([PROTOCOL_VERSION, body.verb, requestId, ...requestFields(body)]);
}

/** Frames of a reply: `[version, OK, requestId, ...fields]` or `[version, ERROR, requestId, code, message, detail]`. */
export function encodeReply(requestId: string, reply: Reply): Buffer[] {
  if (reply.kind === 'OK') return text([PROTOCOL_VERSION, 'OK', requestId, ...reply.fields]);
  return text([PROTOCOL_VERSION, 'ERROR', requestId, reply.code, reply.message, reply.detail]);
}

function readHeader(frames: readonly Uint8Array[]): { verb: string; requestId: string } {
  const head: FrameReader = new FrameReader(frames, 0);
  if (frames.length < 3) {
    head.fail(`expected at least 3 frames (version, verb, request id), got ${frames.length}`, -1);
  }
  const version = head.text('version');
  const verb = head.text('verb');
  const requestId = head.text('request id');
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      ErrorCode.VersionMismatch,
      `frame 0 (version): expected ${PROTOCOL_VERSION}, got "${version.slice(0, 40)}"`,
      0,
      requestId,
    );
  }
  return { verb, requestId };
}

/**
 * Decodes `[version, verb, requestId, ...fields]`. Throws only ProtocolError: BAD_FRAME,
 * VERSION_MISMATCH or UNKNOWN_VERB, with the frame index and, when readable, the request id.
 */
export function decodeRequest(frames: readonly Uint8Array[]): Envelope<Request> {
  const { verb, requestId } = readHeader(frames);
  const r: FrameReader = new FrameReader(frames, 3, requestId);
  const body = readBody(verb, r, requestId);
  r.end(verb);
  return { requestId, body };
}

function readBody(verb: string, r: FrameReader, requestId: string): Request {
  switch (verb) {
    case 'RUNTASK': {
      // Only the pipe form may leave the uid to the agent; here an empty one would be shared.
      const uid = r.nonEmpty('uid');
      const attempt = r.count('attempt');
      const executor: Executor = r.oneOf('executor', EXECUTORS);
      const command = r.nonEmpty('command');
      const workingDir = r.text('workingDir');
      const timeoutMs = r.count('timeoutMs', MAX_TIMEOUT_MS);
      const cpuMillis = r.count('cpuMillis');
      const memoryBytes = r.count('memoryBytes');
      const env = readEnv(r);
      const args = r.rest('arg');
      return {
        verb,
        uid,
        attempt,
        executor,
        command,
        workingDir,
        timeoutMs,
        cpuMillis,
        memoryBytes,
        env,
        args,
      };
    }
    case 'CANCEL':
      return { verb, uid: r.text('uid'), attempt: r.count('attempt') };
    case 'PING':
      return { verb };
    case 'REGISTER': {
      const instanceId = r.text('instanceId');
      const endpoint = r.text('endpoint');
      const slots = r.count('slots');
      const cpuMillis = r.count('cpuMillis');
      const memoryBytes = r.count('memoryBytes');
      const queueLength = r.count('queueLength');
      const executors = readExecutors(r);
      const labels = r.json('labels', isLabels, 'an object of string values');
      const held = r.json('held', isTaskRefs, 'a list of {uid, attempt}');
      const capacity = { slots, cpuMillis, memoryBytes, queueLength };
      return { verb, instanceId, endpoint, capacity, executors, labels, held };
    }
    case 'HEARTBEAT':
      return {
        verb,
        instanceId: r.text('instanceId'),
        freeSlots: r.count('freeSlots'),
        freeCpuMillis: r.count('freeCpuMillis'),
        freeMemoryBytes: r.count('freeMemoryBytes'),
        queued: r.count('queued'),
        held: r.json('held', isTaskRefs, 'a list of {uid, attempt}'),
      };
    case 'STATUS':
      return readStatus(r);
    default:
      throw new ProtocolError(
        ErrorCode.UnknownVerb,
        `frame 1 (verb): unknown verb "${verb.slice(0, 40)}"`,
        1,
        requestId,
      );
  }
}

function readEnv(r: FrameReader): EnvVar[] {
  const at = r.position;
  const env = r.json('env', isEnvList, 'a list of {name, value} strings');
  env.forEach((e, i) => {
    if (!ENV_NAME.test(e.name)) {
      r.fail(
        `frame ${at} (env): env[${i}].name: expected a C identifier (${ENV_NAME.source}), got ${JSON.stringify(e.name.slice(0, 40))}`,
        at,
      );
    }
  });
  return env;
}

function readExecutors(r: FrameReader): Executor[] {
  const at = r.position;
  const raw = r.text('executors');
  if (raw === '') return [];
  return raw.split(',').map((name) => {
    const found = EXECUTORS.find((e) => e === name);
    if (found === undefined)
      r.fail(`frame ${at} (executors): unknown executor "${name.slice(0, 40)}"`, at);
    return found;
  });
}

function readStatus(r: FrameReader): StatusReport {
  return {
    verb: 'STATUS',
    instanceId: r.text('instanceId'),
    uid: r.text('uid'),
    attempt: r.count('attempt'),
    seq: r.count('seq'),
    state: r.oneOf('state', TASK_STATES),
    reason: r.oneOf('reason', REASONS),
    message: r.text('message'),
    exitCode: r.optionalInt('exitCode'),
    signal: r.optionalText('signal'),
    startTimeMs: r.optionalInt('startTime'),
    endTimeMs: r.optionalInt('endTime'),
    outputTruncated: r.flag('outputTruncated'),
    output: r.text('output'),
  };
}

/** Decodes a reply; throws only ProtocolError. */
export function decodeReply(frames: readonly Uint8Array[]): Envelope<Reply> {
  const { verb, requestId } = readHeader(frames);
  const r: FrameReader = new FrameReader(frames, 3, requestId);
  if (verb === 'OK') return { requestId, body: { kind: 'OK', fields: r.rest('value') } };
  if (verb !== 'ERROR') {
    throw new ProtocolError(
      ErrorCode.UnknownVerb,
      `frame 1 (reply): expected OK or ERROR, got "${verb.slice(0, 40)}"`,
      1,
      requestId,
    );
  }
  const at = r.position;
  const code = r.text('code');
  if (!isErrorCode(code))
    r.fail(`frame ${at} (code): unknown error code "${code.slice(0, 40)}"`, at);
  const message = r.text('message');
  const detail = r.text('detail');
  r.end('ERROR');
  return { requestId, body: { kind: 'ERROR', code, message, detail } };
}
