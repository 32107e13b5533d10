import { Dealer, Router } from 'zeromq';
import { encodeRequest } from '../../src/protocol/index.js';
import type { Heartbeat, Register } from '../../src/protocol/index.js';
import { fixture, startStack, waitFor } from './stack.js';
import type { Stack } from './stack.js';

interface TaskJson {
  status?: { phase?: string; agent?: string; attempts?: number; output?: string };
}

async function phaseOf(stack: Stack, ns: string, name: string): Promise<TaskJson['status']> {
  const task = JSON.parse(
    await stack.kubectl('-n', ns, 'get', 'task', name, '-o', 'json'),
  ) as TaskJson;
  return task.status;
}

function completes(stack: Stack, ns: string, name: string, timeoutMs = 30_000): Promise<unknown> {
  return waitFor(
    async () => ((await phaseOf(stack, ns, name))?.phase === 'Complete' ? true : undefined),
    `${name} to complete`,
    timeoutMs,
  );
}

describe('the controller under API faults', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ watchIdleTimeoutMs: 1500 });
    await stack.addAgent({ instanceId: 'steady' });
  });

  afterAll(async () => {
    await stack.close();
  });

  it.each([
    [409, 'Conflict'],
    [500, 'InternalError'],
  ])('completes a Task whose first status writes answer %i', async (code) => {
    const ns = await stack.namespace(`status-${code}`);
    stack.cluster.faults.failNext({
      verb: 'patch',
      resource: 'tasks',
      subresource: 'status',
      code,
      count: 3,
    });
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('hello.yaml'));
    await completes(stack, ns, 'hello');
    expect(await phaseOf(stack, ns, 'hello')).toMatchObject({
      attempts: 1,
      output: 'hello world\n',
    });
  });

  it('recovers a watch that went silent without closing and still routes new Tasks', async () => {
    const ns = await stack.namespace('stalled');
    expect(stack.cluster.faults.stallWatches({ resource: 'tasks' })).toBeGreaterThan(0);
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('hello.yaml'));
    await completes(stack, ns, 'hello');
  });

  it('recovers from a 410 sent inside the open watch', async () => {
    const ns = await stack.namespace('gone');
    expect(stack.cluster.faults.sendWatchError({ resource: 'tasks' }, 410)).toBeGreaterThan(0);
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('hello.yaml'));
    await completes(stack, ns, 'hello');
  });
});

describe('an agent that never answers RUNTASK', () => {
  let stack: Stack;
  const sockets: { close(): void }[] = [];

  afterEach(async () => {
    for (const s of sockets) s.close();
    await stack.close();
  });

  it('leaves the attempt in doubt until the agent shows it never got it, then runs it elsewhere once', async () => {
    stack = await startStack();
    // A silent agent: it registers and heartbeats like a real one (holding nothing) but its
    // server reads RUNTASK and never replies.
    const silentServer = new Router({ linger: 0 });
    await silentServer.bind('tcp://127.0.0.1:*');
    sockets.push(silentServer);
    const received: string[] = [];
    void (async () => {
      for await (const frames of silentServer) received.push(String(frames[3] ?? ''));
    })().catch(() => undefined);
    const principal = new Dealer({ linger: 0 });
    principal.connect(stack.controller.principalEndpoint);
    sockets.push(principal);
    const register: Register = {
      verb: 'REGISTER',
      instanceId: 'silent',
      endpoint: silentServer.lastEndpoint ?? '',
      capacity: { slots: 8, cpuMillis: 0, memoryBytes: 0, queueLength: 8 },
      executors: ['PROCESS', 'SHELL'],
      labels: {},
      held: [],
    };
    await principal.send([Buffer.alloc(0), ...encodeRequest('r1', register)]);
    let beat = 2;
    const heartbeat = setInterval(() => {
      const hb: Heartbeat = {
        verb: 'HEARTBEAT',
        instanceId: 'silent',
        freeSlots: 8,
        freeCpuMillis: 0,
        freeMemoryBytes: 0,
        queued: 0,
        held: [],
      };
      void principal.send([Buffer.alloc(0), ...encodeRequest(`r${beat++}`, hb)]);
    }, 200);
    sockets.push({
      close: () => {
        clearInterval(heartbeat);
      },
    });
    // Replies are read and dropped so the socket's queue never fills.
    void (async () => {
      for (;;) await principal.receive();
    })().catch(() => undefined);

    const ns = await stack.namespace('silent');
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('hello.yaml'));
    await waitFor(
      () => Promise.resolve(received.includes('RUNTASK') ? true : undefined),
      'the RUNTASK to reach the silent agent',
    );
    // Only now does a working agent appear. The silent one has more room, but it left a RUNTASK
    // unanswered, so it gets no work; once its heartbeats show it never took the attempt, the
    // same attempt goes to the working agent.
    await stack.addAgent({ instanceId: 'working', slots: 1 });
    await completes(stack, ns, 'hello');
    expect(await phaseOf(stack, ns, 'hello')).toMatchObject({
      attempts: 1,
      agent: 'working',
      output: 'hello world\n',
    });
  });
});
