import { ErrorCode, ProtocolError, isErrorCode } from './errors.js';
import { FrameReader, encodeText } from './fields.js';
import {
  EXECUTORS,
  runTaskWith,
  type AgentRequest,
  type Executor,
  type Reply,
} from './messages.js';

/**
 * The single-frame form a person types: fields joined by `|`. A `|` inside a field is written
 * `\|` and a `\` is written `\\`; no other escape exists, so any other byte (newline, NUL,
 * non-ASCII) stands for itself. An empty frame is one empty field.
 */
export function encodePipe(fields: readonly string[]): string {
  return fields.map((f) => f.replace(/[\\|]/g, (c) => `\\${c}`)).join('|');
}

/** Splits a pipe-form text into fields; throws ProtocolError on a dangling or unknown escape. */
export function decodePipe(text: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '|') {
      fields.push(current);
      current = '';
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next !== '\\' && next !== '|') {
        const what =
          next === undefined ? 'a dangling \\ at the end' : `an unknown escape at character ${i}`;
        throw new ProtocolError(
          ErrorCode.BadFrame,
          `frame 0 (pipe form): ${what}; only \\| and \\\\ are escapes`,
          0,
        );
      }
      current += next;
      i += 1;
    } else {
      current += c;
    }
  }
  fields.push(current);
  return fields;
}

/** Reads the one frame as UTF-8 and splits it. */
export function decodePipeFrame(frame: Uint8Array): string[] {
  return decodePipe(new FrameReader([frame], 0).text('pipe form'));
}

/**
 * Decodes an agent request in pipe form: `RUNTASK|EXECUTOR|command|arg...`, `CANCEL|uid|attempt`
 * or `PING`. The pipe form has no uid for RUNTASK: `uid` is empty and attempt 0, and the agent
 * assigns a uid, which it returns in its reply. No env, working directory, timeout or resources.
 */
export function decodePipeRequest(frame: Uint8Array): AgentRequest {
  const fields = decodePipeFrame(frame);
  const r: FrameReader = new FrameReader(
    fields.map((f) => Buffer.from(f, 'utf8')),
    0,
  );
  const verb = r.text('verb');
  let body: AgentRequest;
  switch (verb) {
    case 'RUNTASK': {
      if (fields.length < 3)
        r.fail(`pipe form RUNTASK needs EXECUTOR|command, got ${fields.length - 1} field(s)`, 0);
      const executor: Executor = r.oneOf('executor', EXECUTORS);
      const command = r.nonEmpty('command');
      const args = r.rest('arg');
      body = runTaskWith({ uid: '', executor, command, args });
      break;
    }
    case 'CANCEL':
      body = { verb, uid: r.text('uid'), attempt: r.count('attempt') };
      break;
    case 'PING':
      body = { verb };
      break;
    default:
      throw new ProtocolError(
        ErrorCode.UnknownVerb,
        `field 0 (verb): unknown verb "${verb.slice(0, 40)}"`,
        0,
      );
  }
  r.end(`pipe form ${verb}`);
  return body;
}

/** `OK|value...` or `ERROR|CODE|message[|detail]`. */
export function encodePipeReply(reply: Reply): Buffer {
  const fields =
    reply.kind === 'OK'
      ? ['OK', ...reply.fields]
      : ['ERROR', reply.code, reply.message, ...(reply.detail === '' ? [] : [reply.detail])];
  return encodeText(encodePipe(fields), 'pipe reply');
}

/** Parses a pipe-form reply; throws ProtocolError. */
export function decodePipeReply(frame: Uint8Array): Reply {
  const [kind, ...rest] = decodePipeFrame(frame);
  if (kind === 'OK') return { kind, fields: rest };
  const [code, message, detail = ''] = rest;
  if (kind !== 'ERROR' || code === undefined || !isErrorCode(code) || message === undefined) {
    throw new ProtocolError(
      ErrorCode.BadFrame,
      'frame 0 (pipe reply): expected OK|... or ERROR|CODE|message',
      0,
    );
  }
  return { kind, code, message, detail };
}
