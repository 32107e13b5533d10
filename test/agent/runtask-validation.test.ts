import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Request as ReqSocket } from 'zeromq';
import { MAX_TIMEOUT_MS, decodePipeReply, type RunTask } from '../../src/protocol/index.js';
import { TestPrincipal, agentRig, runTask, startAgent, startOnSameEndpoint } from './helpers.js';
import { freePort } from '../free-port.js';

describe('agent RUNTASK checks', () => {
  const rig = agentRig();

  it.each<[string, Partial<RunTask> & Pick<RunTask, 'command'>, RegExp]>([
    ['an empty uid', { uid: '', command: 'true' }, /^frame 3 \(uid\): expected a non-empty/],
    ['an empty command', { command: '' }, /^frame 6 \(command\): expected a non-empty/],
    [
      'an env name with a dash',
      { command: 'true', env: [{ name: 'MY-VAR', value: '1' }] },
      /^frame 11 \(env\): env\[0\]\.name: expected a C identifier .*, got "MY-VAR"/,
    ],
    [
      'an env name with "="',
      {
        command: 'true',
        env: [
          { name: 'A', value: '1' },
          { name: 'B=C', value: '1' },
        ],
      },
      /^frame 11 \(env\): env\[1\]\.name: .*got "B=C"/,
    ],
    [
      'an empty env name',
      { command: 'true', env: [{ name: '', value: '1' }] },
      /env\[0\]\.name: .*got ""/,
    ],
    [
      'a timeout beyond what a timer can hold',
      { command: 'true', timeoutMs: 3_000_000_000 },
      /^frame 8 \(timeoutMs\): expected at most 2147483647, got 3000000000/,
    ],
  ])('refuses %s with BAD_FRAME naming the field', async (_what, fields, message) => {
    const reply = await rig.rc.request(runTask(fields));
    expect(reply).toMatchObject({ kind: 'ERROR', code: 'BAD_FRAME' });
    expect(reply.kind === 'ERROR' ? reply.message : '').toMatch(message);
    expect(rig.agent.tasks.held()).toEqual([]);
  });

  it('runs a task with the longest timeout a timer can hold, without timing it out', async () => {
    const t = runTask({
      command: 'sh',
      args: ['-c', 'sleep 0.2; echo "$_OK1"'],
      env: [{ name: '_OK1', value: 'kept' }],
      timeoutMs: MAX_TIMEOUT_MS,
    });
    expect(await rig.rc.request(t)).toMatchObject({ kind: 'OK' });
    expect(await rig.principal.final(t.uid)).toMatchObject({
      state: 'COMPLETE',
      reason: 'Completed',
      output: 'kept\n',
    });
  });

  it('still assigns a uid to a pipe-form RUNTASK but refuses one with an empty command', async () => {
    const req = new ReqSocket({ linger: 0 });
    req.connect(rig.agent.endpoint);
    await req.send('RUNTASK|PROCESS|echo|pipe');
    const ok = decodePipeReply((await req.receive())[0]!);
    await req.send('RUNTASK|PROCESS||x');
    const refused = decodePipeReply((await req.receive())[0]!);
    req.close();
    expect(ok).toMatchObject({
      kind: 'OK',
      fields: [expect.stringMatching(/.+/), '0', 'accepted'],
    });
    expect(refused).toMatchObject({ kind: 'ERROR', code: 'BAD_FRAME' });
    expect(refused.kind === 'ERROR' ? refused.message : '').toContain(
      '(command): expected a non-empty',
    );
    const uid = ok.kind === 'OK' ? ok.fields[0]! : '';
    expect(await rig.principal.final(uid)).toMatchObject({ state: 'COMPLETE', output: 'pipe\n' });
  });

  it('says the arguments are too large for the system, with their size, on E2BIG', async () => {
    const t = runTask({ command: 'echo', args: ['x'.repeat(1024 * 1024)] });
    expect(await rig.rc.request(t)).toMatchObject({ kind: 'OK' });
    const final = await rig.principal.final(t.uid);
    expect(final).toMatchObject({ state: 'FAILED', reason: 'StartFailed' });
    expect(final.message).toContain(
      'arguments and environment are too large for the system (E2BIG)',
    );
    const bytes = Number(/(\d+) bytes in total/.exec(final.message)?.[1]);
    expect(bytes).toBeGreaterThan(1024 * 1024);
  });
});

describe('agent link to the principal', () => {
  it('fails to start on a principal endpoint ZeroMQ refuses, closing its server', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const port = await freePort();
    const listen = `tcp://127.0.0.1:${port}`;
    // The CLI refuses such an endpoint first; this is the last line of defence for library use.
    await expect(startAgent('nope', { logger, listen })).rejects.toThrow();
    expect(lines.join('')).not.toContain('agent serving');
    // The port is free again: the failed start left no socket bound.
    const again = new TestPrincipal(listen);
    await startOnSameEndpoint(again);
    await again.close();
  });

  it('logs at warn when its REGISTER cannot be encoded', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const principal = new TestPrincipal();
    await principal.start();
    // 2^60 bytes passes no config check (the CLI refuses it); the codec must refuse the count.
    const agent = await startAgent(principal.endpoint, {
      memoryBytes: 2 ** 60,
      logger: pino({ level: 'warn' }, sink),
    });
    try {
      for (let i = 0; i < 200 && !lines.some((l) => l.msg === 'register could not be encoded'); i++)
        await new Promise((r) => setTimeout(r, 20));
      const line = lines.find((l) => l.msg === 'register could not be encoded');
      expect(line).toMatchObject({ level: 40 });
      expect(JSON.stringify(line)).toContain('memoryBytes: expected a non-negative integer');
      expect(principal.registers).toEqual([]);
    } finally {
      await agent.stop(1000, 200);
      await principal.close();
    }
  });
});
