import { RequestClient } from '../../src/agent/request-client.js';
import { startStack, waitFor } from './stack.js';
import type { Stack } from './stack.js';

interface Status {
  phase?: string;
  reason?: string;
  message?: string;
  output?: string;
  agent?: string;
}

async function statusOf(stack: Stack, ns: string, name: string): Promise<Status> {
  const task = JSON.parse(await stack.kubectl('-n', ns, 'get', 'task', name, '-o', 'json')) as {
    status?: Status;
  };
  return task.status ?? {};
}

function task(ns: string, name: string, spec: object): object {
  return {
    apiVersion: 'taskrouter.io/v1alpha1',
    kind: 'Task',
    metadata: { name, namespace: ns },
    spec,
  };
}

describe('the controller guards against bad Tasks and lying peers', () => {
  let stack: Stack;
  const clients: RequestClient[] = [];

  beforeAll(async () => {
    stack = await startStack();
    await stack.addAgent({ instanceId: 'honest', labels: { size: 'small' } });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await stack.close();
  });

  it('fails a Task whose quantity no integer can hold, and keeps routing the others', async () => {
    const ns = await stack.namespace('huge');
    await stack.apply(task(ns, 'greedy', { command: 'true', resources: { memory: '9Ei' } }));
    await stack.apply(task(ns, 'modest', { command: 'echo', args: ['still here'] }));
    const greedy = await waitFor(async () => {
      const s = await statusOf(stack, ns, 'greedy');
      return s.phase === 'Failed' ? s : undefined;
    }, 'greedy to fail');
    expect(greedy).toMatchObject({ reason: 'InvalidSpec' });
    expect(greedy.message).toMatch(/spec\.resources\.memory/);
    const modest = await waitFor(async () => {
      const s = await statusOf(stack, ns, 'modest');
      return s.phase === 'Complete' ? s : undefined;
    }, 'modest to complete');
    expect(modest.output).toBe('still here\n');
  });

  it('says which demand no agent meets when nothing matches', async () => {
    const ns = await stack.namespace('nomatch');
    await stack.apply(
      task(ns, 'picky', { command: 'true', agentSelector: { matchLabels: { size: 'huge' } } }),
    );
    const s = await waitFor(async () => {
      const st = await statusOf(stack, ns, 'picky');
      return st.reason === 'NoMatchingAgent' ? st : undefined;
    }, 'NoMatchingAgent');
    expect(s.message).toMatch(/matches agentSelector .*"size":"huge"/);
    expect(s.message).not.toMatch(/offers executor/);
  });

  it('refuses a report from an agent the Task does not fit, and a second live agent under a taken id', async () => {
    const ns = await stack.namespace('forged');
    await stack.apply(
      task(ns, 'waiting', { command: 'true', agentSelector: { matchLabels: { size: 'huge' } } }),
    );
    const uid = await waitFor(async () => {
      const t = JSON.parse(
        await stack.kubectl('-n', ns, 'get', 'task', 'waiting', '-o', 'json'),
      ) as {
        metadata: { uid: string };
        status?: Status;
      };
      return t.status?.reason === 'NoMatchingAgent' ? t.metadata.uid : undefined;
    }, 'the Task to wait for an agent');
    const client = new RequestClient({
      endpoint: stack.controller.principalEndpoint,
      logger: stack.logger,
      deadlineMs: 3000,
    });
    clients.push(client);
    const forged = await client.request({
      verb: 'STATUS',
      instanceId: 'honest',
      uid,
      attempt: 0,
      seq: 1,
      state: 'COMPLETE',
      reason: 'Completed',
      message: 'forged',
      exitCode: 0,
      signal: null,
      startTimeMs: 1,
      endTimeMs: 2,
      output: 'FORGED',
      outputTruncated: false,
    });
    expect(forged).toMatchObject({ kind: 'ERROR', code: 'UNAUTHORIZED' });
    expect(await statusOf(stack, ns, 'waiting')).toMatchObject({ phase: 'Pending' });

    const impostor = await client.request({
      verb: 'REGISTER',
      instanceId: 'honest',
      endpoint: 'tcp://127.0.0.1:1',
      capacity: { slots: 100, cpuMillis: 0, memoryBytes: 0, queueLength: 100 },
      executors: ['PROCESS'],
      labels: { size: 'huge' },
      held: [],
    });
    expect(impostor).toMatchObject({ kind: 'ERROR', code: 'UNAUTHORIZED' });
    expect(impostor.kind === 'ERROR' ? impostor.message : '').toMatch(/in use by a live agent/);
  });
});

describe('an agent that shuts down cleanly', () => {
  it('gets no new work while it drains; the retry goes to a live agent', async () => {
    const stack = await startStack({ agentTimeoutMs: 5000 });
    try {
      const leaving = stack.spawnAgent([
        '--instance-id',
        'leaving',
        '--executors',
        'PROCESS,SHELL',
        '--drain-grace-seconds',
        '1',
      ]);
      const ns = await stack.namespace('drain');
      await stack.apply(
        task(ns, 'outlasts', { executor: 'SHELL', command: 'sleep 3; echo done', retries: 1 }),
      );
      await waitFor(async () => {
        const s = await statusOf(stack, ns, 'outlasts');
        return s.phase === 'Running' && s.agent === 'leaving' ? true : undefined;
      }, 'Running on the leaving agent');
      await stack.addAgent({ instanceId: 'staying', slots: 1 });
      leaving.kill('SIGTERM');
      const done = await waitFor(
        async () => {
          const s = await statusOf(stack, ns, 'outlasts');
          return s.phase === 'Complete' || s.phase === 'Failed' ? s : undefined;
        },
        'the retry to finish',
        30_000,
      );
      expect(done).toMatchObject({ phase: 'Complete', agent: 'staying', output: 'done\n' });
    } finally {
      await stack.close();
    }
  });
});

describe('deleting a Task whose agent cannot be reached', () => {
  it('lets the object go after the bounded wait and says so, rather than strand it', async () => {
    // Heartbeat loss takes 20 s here, longer than the 3 s cancel wait, so the wait is what ends it.
    const stack = await startStack({ agentTimeoutMs: 20_000 });
    try {
      const gone = stack.spawnAgent([
        '--instance-id',
        'unreachable',
        '--executors',
        'PROCESS,SHELL',
      ]);
      const ns = await stack.namespace('strand');
      await stack.apply(task(ns, 'orphaned', { command: 'sleep', args: ['30'] }));
      await waitFor(async () => {
        const s = await statusOf(stack, ns, 'orphaned');
        return s.phase === 'Running' ? true : undefined;
      }, 'Running');
      gone.kill('SIGSTOP'); // alive to the kernel, deaf to the controller
      try {
        await stack.kubectl('-n', ns, 'delete', 'task', 'orphaned', '--timeout=20s');
      } finally {
        gone.kill('SIGKILL');
      }
      const notes = await waitFor(async () => {
        const text = await stack.kubectl(
          '-n',
          ns,
          'get',
          'events.events.k8s.io',
          '-o',
          'jsonpath={.items[*].note}',
        );
        return text.includes('did not confirm the cancel') ? text : undefined;
      }, 'the CancelTimedOut event');
      expect(notes).toMatch(/agent unreachable did not confirm the cancel/);
      expect(await stack.kubectl('-n', ns, 'get', 'tasks', '-o', 'name')).toBe('');
    } finally {
      await stack.close();
    }
  });
});
