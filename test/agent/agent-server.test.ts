import { readFileSync } from 'node:fs';
import { Request as ReqSocket, Dealer } from 'zeromq';
import { decodePipeReply, decodeReply, encodeRequest } from '../../src/protocol/index.js';
import { agentRig, alive, goneWithin, runTask } from './helpers.js';

const WIRE_HELLO = new URL('../fixtures/wire-hello.txt', import.meta.url);

describe('agent server', () => {
  const rig = agentRig();

  it('runs the wire-hello frame from a plain REQ client and reports to the principal', async () => {
    const frame = readFileSync(WIRE_HELLO);
    const req = new ReqSocket({ linger: 0 });
    req.connect(rig.agent.endpoint);
    await req.send(frame);
    const [reply] = await req.receive();
    req.close();
    const parsed = decodePipeReply(reply!);
    expect(parsed).toMatchObject({ kind: 'OK', fields: [expect.any(String), '0', 'accepted'] });
    const uid = parsed.kind === 'OK' ? parsed.fields[0]! : '';
    const final = await rig.principal.final(uid);
    expect(final).toMatchObject({
      state: 'COMPLETE',
      reason: 'Completed',
      exitCode: 0,
      output: 'hello world\n',
    });
    expect(rig.principal.reportsOf(uid).map((r) => r.state)).toEqual(['RUNNING', 'COMPLETE']);
    expect(rig.principal.registers[0]).toMatchObject({
      instanceId: 'agent-test',
      endpoint: rig.agent.endpoint,
    });
  });

  it('shows WAITING while slots are full and answers QUEUE_FULL beyond the queue', async () => {
    await rig.restart({ slots: 1, queueLength: 2 });
    const tasks = [0, 1, 2, 3].map(() => runTask({ command: 'sleep', args: ['0.3'] }));
    const replies = await Promise.all(tasks.map((t) => rig.rc.request(t)));
    expect(replies.map((r) => r.kind)).toEqual(['OK', 'OK', 'OK', 'ERROR']);
    expect(replies[3]).toMatchObject({ code: 'QUEUE_FULL' });
    for (const t of tasks.slice(0, 3))
      expect((await rig.principal.final(t.uid)).state).toBe('COMPLETE');
    expect(rig.principal.reportsOf(tasks[1]!.uid).map((r) => r.state)).toEqual([
      'WAITING',
      'RUNNING',
      'COMPLETE',
    ]);
    expect(rig.principal.reportsOf(tasks[3]!.uid)).toEqual([]);
  });

  it('kills the whole process group on timeout', async () => {
    const t = runTask({ executor: 'SHELL', command: 'sleep 60 & echo $!; wait', timeoutMs: 500 });
    expect(await rig.rc.request(t)).toMatchObject({ kind: 'OK' });
    const final = await rig.principal.final(t.uid);
    expect(final).toMatchObject({ state: 'FAILED', reason: 'Timeout', signal: 'SIGTERM' });
    const grandchild = Number(final.output.trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(alive(grandchild)).toBe(false);
    expect(rig.agent.tasks.free().slots).toBe(2);
  });

  it('ends a task whose background grandchild holds the pipes, keeping its output', async () => {
    const t = runTask({ executor: 'SHELL', command: 'sleep 30 & echo $!; echo done' });
    await rig.rc.request(t);
    const final = await rig.principal.final(t.uid);
    expect(final.state).toBe('COMPLETE');
    const [pid, word] = final.output.trim().split('\n');
    expect(word).toBe('done');
    expect(await goneWithin(Number(pid))).toBe(true);
  });

  it('keeps a bounded tail of huge output', async () => {
    const t = runTask({
      executor: 'SHELL',
      command: 'head -c 200000000 /dev/zero | tr "\\0" a; echo END',
    });
    await rig.rc.request(t);
    const final = await rig.principal.final(t.uid);
    expect(final.state).toBe('COMPLETE');
    expect(final.outputTruncated).toBe(true);
    expect(final.output).toHaveLength(16 * 1024);
    expect(final.output.endsWith('aaa\nEND\n'.slice(4))).toBe(true);
  }, 60_000);

  it('acknowledges a repeated RUNTASK without running it again', async () => {
    const t = runTask({ command: 'echo', args: ['once'] });
    const first = await rig.rc.request(t);
    const second = await rig.rc.request(t);
    expect(first).toMatchObject({ kind: 'OK', fields: [t.uid, '0', 'accepted'] });
    expect(second).toMatchObject({ kind: 'OK', fields: [t.uid, '0', 'duplicate'] });
    await rig.principal.final(t.uid);
    expect(await rig.rc.request(t)).toMatchObject({ fields: [t.uid, '0', 'duplicate'] });
    expect(rig.principal.reportsOf(t.uid).filter((r) => r.state === 'RUNNING')).toHaveLength(1);
  });

  it('recognises a repeated RUNTASK of a task still waiting, and cancels it from the queue', async () => {
    await rig.restart({ slots: 1, queueLength: 2 });
    const busy = runTask({ command: 'sleep', args: ['0.5'] });
    const waiting = runTask({ command: 'echo', args: ['waited'] });
    const cancelled = runTask({ command: 'echo', args: ['never'] });
    for (const t of [busy, waiting, cancelled]) {
      expect(await rig.rc.request(t)).toMatchObject({ fields: [t.uid, '0', 'accepted'] });
    }
    expect(await rig.rc.request(waiting)).toMatchObject({
      fields: [waiting.uid, '0', 'duplicate'],
    });
    expect(
      await rig.rc.request({ verb: 'CANCEL', uid: cancelled.uid, attempt: cancelled.attempt }),
    ).toMatchObject({ kind: 'OK', fields: ['cancelled'] });
    expect(await rig.principal.final(waiting.uid)).toMatchObject({
      state: 'COMPLETE',
      output: 'waited\n',
    });
    expect(await rig.principal.final(cancelled.uid)).toMatchObject({
      state: 'FAILED',
      reason: 'Cancelled',
    });
    expect(rig.principal.reportsOf(waiting.uid).filter((r) => r.state === 'RUNNING')).toHaveLength(
      1,
    );
    expect(rig.principal.reportsOf(cancelled.uid).some((r) => r.state === 'RUNNING')).toBe(false);
  });

  it('runs three RUNTASKs sent at the same instant', async () => {
    const tasks = [1, 2, 3].map((n) => runTask({ command: 'echo', args: [`n${n}`] }));
    const replies = await Promise.all(tasks.map((t) => rig.rc.request(t)));
    expect(replies.every((r) => r.kind === 'OK')).toBe(true);
    const finals = await Promise.all(tasks.map((t) => rig.principal.final(t.uid)));
    expect(finals.map((f) => f.output)).toEqual(['n1\n', 'n2\n', 'n3\n']);
  });

  it('answers unknown verbs and garbage frames with errors and keeps serving', async () => {
    const dealer = new Dealer({ linger: 0 });
    dealer.connect(rig.agent.endpoint);
    const sends: Buffer[][] = [
      [Buffer.alloc(0), Buffer.from('TR1'), Buffer.from('FLY'), Buffer.from('9')],
      [
        Buffer.alloc(0),
        Buffer.from('TR1'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('x'),
        Buffer.from('y'),
      ],
      [Buffer.alloc(0), Buffer.from('TR2'), Buffer.from('PING'), Buffer.from('10')],
      [
        Buffer.alloc(0),
        ...encodeRequest('11', {
          verb: 'HEARTBEAT',
          instanceId: 'x',
          freeSlots: 0,
          freeCpuMillis: 0,
          freeMemoryBytes: 0,
          queued: 0,
          held: [],
        }),
      ],
      [Buffer.from('no delimiter'), Buffer.from('at all')],
    ];
    const codes: string[] = [];
    for (const frames of sends) {
      await dealer.send(frames);
      const reply = await dealer.receive();
      const decoded = decodeReply(reply[0]?.length === 0 ? reply.slice(1) : reply);
      codes.push(decoded.body.kind === 'ERROR' ? decoded.body.code : 'OK');
    }
    dealer.close();
    expect(codes).toEqual([
      'UNKNOWN_VERB',
      'BAD_FRAME',
      'VERSION_MISMATCH',
      'UNKNOWN_VERB',
      'BAD_FRAME',
    ]);
    const req = new ReqSocket({ linger: 0 });
    req.connect(rig.agent.endpoint);
    await req.send('RUNTASK|PROCESS|a\\');
    expect(decodePipeReply((await req.receive())[0]!)).toMatchObject({
      kind: 'ERROR',
      code: 'BAD_FRAME',
    });
    req.close();
    expect(await rig.rc.request({ verb: 'PING' })).toEqual({
      kind: 'OK',
      fields: ['agent-test', 'TR1'],
    });
  });

  it.each([
    ['a missing program', { command: '/nonexistent/prog' }, 'program /nonexistent/prog not found'],
    [
      'a missing working directory',
      { command: 'true', workingDir: '/nonexistent/dir' },
      'working directory /nonexistent/dir',
    ],
  ])('fails %s with a clear message', async (_name, fields, message) => {
    const t = runTask(fields);
    await rig.rc.request(t);
    const final = await rig.principal.final(t.uid);
    expect(final).toMatchObject({ state: 'FAILED', reason: 'StartFailed' });
    expect(final.message).toContain(message);
  });

  it.each([
    ['exit 3', { exitCode: 3, signal: null, reason: 'ExitCode' }],
    ['kill -KILL $$', { exitCode: null, signal: 'SIGKILL', reason: 'Signal' }],
  ])('reports %s as a failure', async (script, expected) => {
    const t = runTask({ executor: 'SHELL', command: script });
    await rig.rc.request(t);
    expect(await rig.principal.final(t.uid)).toMatchObject({ state: 'FAILED', ...expected });
  });

  it('passes env, workingDir and args byte-exact', async () => {
    const args = ['', 'a|b', 'back\\slash', 'new\nline', 'é 日本'];
    const t = runTask({
      executor: 'SHELL',
      command: 'printf "%s;" "$PWD" "$GREETING" "$@"',
      args,
      env: [{ name: 'GREETING', value: 'hi there' }],
      workingDir: '/tmp',
    });
    await rig.rc.request(t);
    expect((await rig.principal.final(t.uid)).output).toBe(
      ['/tmp', 'hi there', ...args].map((a) => `${a};`).join(''),
    );
  });

  it('cancels a running task with reason Cancelled', async () => {
    const t = runTask({ command: 'sleep', args: ['30'] });
    await rig.rc.request(t);
    await rig.principal.until(() => rig.principal.reportsOf(t.uid).length > 0);
    expect(await rig.rc.request({ verb: 'CANCEL', uid: t.uid, attempt: 0 })).toEqual({
      kind: 'OK',
      fields: ['cancelled'],
    });
    expect(await rig.principal.final(t.uid)).toMatchObject({
      state: 'FAILED',
      reason: 'Cancelled',
    });
    expect(await rig.rc.request({ verb: 'CANCEL', uid: 'nobody', attempt: 0 })).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('heartbeats and lists held tasks', async () => {
    const t = runTask({ command: 'sleep', args: ['1'] });
    await rig.rc.request(t);
    expect(rig.agent.tasks.held()).toEqual([{ uid: t.uid, attempt: 0 }]);
    await rig.principal.until(() => rig.principal.heartbeats >= 1, 3000);
  });
});
