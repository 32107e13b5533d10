import fc from 'fast-check';
import {
  ENV_NAME,
  ErrorCode,
  MAX_TIMEOUT_MS,
  ProtocolError,
  decodePipe,
  decodePipeReply,
  decodePipeRequest,
  decodeReply,
  decodeRequest,
  encodePipe,
  encodePipeReply,
  encodeReply,
  encodeRequest,
  runTaskWith,
  z85Encode,
  type Request,
} from './index.js';

// Strings a task may carry: any code point, plus the characters that break naive framing.
const nasty = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '|', '\\', '\\|', '|\\', '\n', '\0', 'é', '日本', '😀', 'a'.repeat(70_000)),
  fc
    .array(fc.constantFrom('|', '\\', '\n', '\0', 'x', 'é'), { maxLength: 20 })
    .map((a) => a.join('')),
);
// RUNTASK needs a uid and a command, and env names that are C identifiers.
const filled = nasty.filter((v) => v !== '');
const envName = fc.stringMatching(ENV_NAME);
const count = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const refs = fc.array(fc.record({ uid: nasty, attempt: count }), { maxLength: 5 });

const request: fc.Arbitrary<Request> = fc.oneof(
  fc.record({
    verb: fc.constant('RUNTASK' as const),
    uid: filled,
    attempt: count,
    executor: fc.constantFrom('PROCESS' as const, 'SHELL' as const),
    command: filled,
    args: fc.array(nasty, { maxLength: 8 }),
    env: fc.array(fc.record({ name: envName, value: nasty }), { maxLength: 4 }),
    workingDir: nasty,
    timeoutMs: fc.nat({ max: MAX_TIMEOUT_MS }),
    cpuMillis: count,
    memoryBytes: count,
  }),
  fc.record({ verb: fc.constant('CANCEL' as const), uid: nasty, attempt: count }),
  fc.constant({ verb: 'PING' as const }),
  fc.record({
    verb: fc.constant('REGISTER' as const),
    instanceId: nasty,
    endpoint: nasty,
    capacity: fc.record({ slots: count, cpuMillis: count, memoryBytes: count, queueLength: count }),
    executors: fc.subarray(['PROCESS' as const, 'SHELL' as const]),
    labels: fc.dictionary(fc.string(), nasty),
    held: refs,
  }),
  fc.record({
    verb: fc.constant('HEARTBEAT' as const),
    instanceId: nasty,
    freeSlots: count,
    freeCpuMillis: count,
    freeMemoryBytes: count,
    queued: count,
    held: refs,
  }),
  fc.record({
    verb: fc.constant('STATUS' as const),
    instanceId: nasty,
    uid: nasty,
    attempt: count,
    seq: count,
    state: fc.constantFrom(
      'WAITING' as const,
      'RUNNING' as const,
      'COMPLETE' as const,
      'FAILED' as const,
    ),
    reason: fc.constantFrom('Completed' as const, 'ExitCode' as const, 'Timeout' as const),
    message: nasty,
    exitCode: fc.option(fc.integer({ min: -255, max: 255 })),
    signal: fc.option(fc.constantFrom('SIGTERM', 'SIGKILL')),
    startTimeMs: fc.option(count),
    endTimeMs: fc.option(count),
    output: nasty,
    outputTruncated: fc.boolean(),
  }),
);

function expectProtocolError(fn: () => unknown): ProtocolError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
}

describe('multi-frame codec', () => {
  it('round-trips every request byte-exact', () => {
    fc.assert(
      fc.property(request, nasty, (body, id) => {
        const frames = encodeRequest(id, body);
        const decoded = decodeRequest(frames);
        expect(decoded).toEqual({ requestId: id, body });
        expect(Buffer.concat(encodeRequest(id, decoded.body))).toEqual(Buffer.concat(frames));
      }),
    );
  });

  it('delivers any list of args byte-exact, one frame each', () => {
    fc.assert(
      fc.property(fc.array(nasty, { maxLength: 12 }), (args) => {
        const body: Request = runTaskWith({ uid: 'u', command: 'echo', args });
        const frames = encodeRequest('1', body);
        expect(frames.slice(12).map((f) => f.toString('utf8'))).toEqual(args);
        const back = decodeRequest(frames).body;
        expect(back.verb === 'RUNTASK' && back.args).toEqual(args);
      }),
    );
  });

  it('round-trips OK and ERROR replies', () => {
    const reply = fc.oneof(
      fc.record({ kind: fc.constant('OK' as const), fields: fc.array(nasty, { maxLength: 5 }) }),
      fc.record({
        kind: fc.constant('ERROR' as const),
        code: fc.constantFrom(...Object.values(ErrorCode)),
        message: nasty,
        detail: nasty,
      }),
    );
    fc.assert(
      fc.property(reply, nasty, (body, id) => {
        expect(decodeReply(encodeReply(id, body))).toEqual({ requestId: id, body });
      }),
    );
  });

  it('turns any random frames into a typed error or a valid message, never another throw', () => {
    const frames = fc.array(
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      { maxLength: 16 },
    );
    fc.assert(
      fc.property(frames, (f) => {
        expectProtocolError(() => decodeRequest(f));
        expectProtocolError(() => decodeReply(f));
        expectProtocolError(() => decodePipeRequest(f[0] ?? Buffer.alloc(0)));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses truncated and padded messages with BAD_FRAME naming the frame', () => {
    fc.assert(
      fc.property(request, fc.nat(), fc.boolean(), (body, cut, pad) => {
        const frames = encodeRequest('r1', body);
        // RUNTASK takes any number of trailing args, so only its 12 fixed frames can be cut,
        // and padding it is still valid.
        if (pad && body.verb === 'RUNTASK') return;
        const fixed = body.verb === 'RUNTASK' ? 12 : frames.length;
        const broken = pad ? [...frames, Buffer.from('extra')] : frames.slice(0, cut % fixed);
        const err = expectProtocolError(() => decodeRequest(broken));
        expect(err?.code).toBe(ErrorCode.BadFrame);
        if (broken.length >= 3) expect(err?.requestId).toBe('r1');
      }),
    );
  });

  it.each([
    [3, 'uid', '', /^frame 3 \(uid\): expected a non-empty value/],
    [6, 'command', '', /^frame 6 \(command\): expected a non-empty value/],
    [8, 'timeoutMs', String(MAX_TIMEOUT_MS + 1), /^frame 8 \(timeoutMs\): expected at most/],
    [11, 'env', '[{"name":"1A","value":""}]', /^frame 11 \(env\): env\[0\]\.name: expected a C/],
  ])('refuses a RUNTASK whose frame %i (%s) is %p', (frame, _field, value, message) => {
    const frames = encodeRequest('r9', runTaskWith({ uid: 'u', command: 'true' }));
    frames[frame] = Buffer.from(value);
    const err = expectProtocolError(() => decodeRequest(frames));
    expect(err).toMatchObject({ code: ErrorCode.BadFrame, frame, requestId: 'r9' });
    expect(err?.message).toMatch(message);
  });

  it('names the version mismatch and unknown verbs with their frame', () => {
    const version = expectProtocolError(() =>
      decodeRequest([Buffer.from('TR9'), Buffer.from('PING'), Buffer.from('7')]),
    );
    expect(version).toMatchObject({ code: ErrorCode.VersionMismatch, frame: 0, requestId: '7' });
    const verb = expectProtocolError(() =>
      decodeRequest([Buffer.from('TR1'), Buffer.from('FLY'), Buffer.from('8')]),
    );
    expect(verb).toMatchObject({ code: ErrorCode.UnknownVerb, frame: 1, requestId: '8' });
  });

  it('refuses frames that are not UTF-8 and numbers that are not plain decimal', () => {
    const bad = expectProtocolError(() =>
      decodeRequest(['TR1', 'CANCEL', '1', 'u', '01'].map((s) => Buffer.from(s))),
    );
    expect(bad).toMatchObject({ code: ErrorCode.BadFrame, frame: 4 });
    const utf = expectProtocolError(() =>
      decodeRequest([
        Buffer.from('TR1'),
        Buffer.from('CANCEL'),
        Buffer.from('1'),
        Buffer.from([0xff]),
        Buffer.from('0'),
      ]),
    );
    expect(utf).toMatchObject({ code: ErrorCode.BadFrame, frame: 3 });
  });

  it('refuses to encode a lone surrogate rather than corrupt it', () => {
    const err = expectProtocolError(() => encodeRequest('\uD800', { verb: 'PING' }));
    expect(err?.code).toBe(ErrorCode.BadFrame);
  });
});

describe('pipe form', () => {
  it('round-trips any non-empty list of strings', () => {
    fc.assert(
      fc.property(fc.array(nasty, { minLength: 1, maxLength: 10 }), (fields) => {
        expect(decodePipe(encodePipe(fields))).toEqual(fields);
      }),
    );
  });

  it('reads the shared wire-hello frame as echo with one argument', () => {
    const body = decodePipeRequest(Buffer.from('RUNTASK|PROCESS|echo|hello world'));
    expect(body).toMatchObject({
      verb: 'RUNTASK',
      uid: '',
      executor: 'PROCESS',
      command: 'echo',
      args: ['hello world'],
    });
  });

  it('keeps escaped pipes and backslashes inside one argument', () => {
    const body = decodePipeRequest(Buffer.from('RUNTASK|SHELL|printf %s "$1"|a\\|b\\\\c|'));
    expect(body).toMatchObject({ command: 'printf %s "$1"', args: ['a|b\\c', ''] });
  });

  it('refuses dangling and unknown escapes with BAD_FRAME', () => {
    for (const text of ['PING\\', 'RUNTASK|PROCESS|a\\n', 'RUNTASK|PROCESS']) {
      expect(expectProtocolError(() => decodePipeRequest(Buffer.from(text)))?.code).toBe(
        ErrorCode.BadFrame,
      );
    }
    expect(expectProtocolError(() => decodePipeRequest(Buffer.from('HELLO')))?.code).toBe(
      ErrorCode.UnknownVerb,
    );
  });

  it('round-trips replies', () => {
    const ok = { kind: 'OK' as const, fields: ['u|1', '0'] };
    expect(decodePipeReply(encodePipeReply(ok))).toEqual(ok);
    const err = { kind: 'ERROR' as const, code: ErrorCode.QueueFull, message: 'full', detail: '' };
    expect(decodePipeReply(encodePipeReply(err))).toEqual(err);
  });
});

describe('z85', () => {
  it('encodes the reference vector of the ZeroMQ RFC', () => {
    const bytes = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(z85Encode(bytes)).toBe('HelloWorld');
  });
});
