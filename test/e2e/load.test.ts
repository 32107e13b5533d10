import { readFileSync } from 'node:fs';
import { countAcceptedRuns, fixture, startStack, waitFor } from './stack.js';
import type { Stack } from './stack.js';

interface TaskList {
  items: {
    metadata: { name: string };
    status?: { phase?: string; attempts?: number; agent?: string };
  }[];
}

async function phases(stack: Stack, ns: string): Promise<TaskList['items']> {
  return (JSON.parse(await stack.kubectl('-n', ns, 'get', 'tasks', '-o', 'json')) as TaskList)
    .items;
}

function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<true> {
  return waitFor(async () => (await check()) || undefined, what, timeoutMs);
}

describe('queueing and bursts', () => {
  let stack: Stack;

  afterEach(async () => {
    await stack.close();
  });

  it('shows one Running and two Waiting on a 1-slot agent with a queue of 2, then all Complete', async () => {
    stack = await startStack();
    await stack.addAgent({ instanceId: 'single', slots: 1, queueLength: 2 });
    const ns = await stack.namespace('queue');
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('queue.yaml'));
    let seen = false;
    await until(async () => {
      const items = await phases(stack, ns);
      const count = (p: string): number => items.filter((t) => t.status?.phase === p).length;
      if (count('Running') === 1 && count('Waiting') === 2) seen = true;
      return items.length === 3 && count('Complete') === 3;
    }, 'all three Complete');
    expect(seen).toBe(true);
  });

  it('runs a burst of 200 Tasks on two agents, each attempt exactly once, no status going backwards', async () => {
    stack = await startStack();
    const runs = new Map<string, number>();
    for (const id of ['burst-a', 'burst-b']) {
      const agent = await stack.addAgent({ instanceId: id, slots: 4, queueLength: 16 });
      countAcceptedRuns(agent, runs);
    }
    const ns = await stack.namespace('burst');
    const rank: Record<string, number> = {
      Pending: 0,
      Waiting: 1,
      Running: 2,
      Complete: 3,
      Failed: 3,
    };
    const last = new Map<string, number>();
    let backwards = 0;
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('burst.yaml'));
    await until(
      async () => {
        const items = await phases(stack, ns);
        for (const t of items) {
          const r = rank[t.status?.phase ?? 'Pending'] ?? 0;
          if (r < (last.get(t.metadata.name) ?? 0)) backwards++;
          last.set(t.metadata.name, r);
        }
        return items.length === 200 && items.every((t) => t.status?.phase === 'Complete');
      },
      '200 Complete',
      120_000,
    );
    expect(backwards).toBe(0);
    expect(runs.size).toBe(200);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(readFileSync(fixture('burst.yaml'), 'utf8')).toContain('burst-199');
  }, 150_000);

  it('cancels a running Task on delete: the process is killed and the object goes', async () => {
    stack = await startStack();
    const agent = await stack.addAgent({ instanceId: 'cancel', slots: 1, queueLength: 1 });
    const ns = await stack.namespace('cancel');
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('timeout.yaml'));
    await until(async () => (await phases(stack, ns))[0]?.status?.phase === 'Running', 'Running');
    await stack.kubectl('-n', ns, 'delete', 'task', 'too-slow', '--timeout=20s');
    expect(await phases(stack, ns)).toHaveLength(0);
    await until(() => Promise.resolve(agent.tasks.free().slots === 1), 'slot freed');
  });
});

describe('failures around the controller', () => {
  let stack: Stack;

  afterEach(async () => {
    await stack.close();
  });

  it('retries a Task whose agent is lost mid-run on another agent, counting the attempt', async () => {
    // The agent process heartbeats every 2 s; it counts as lost after 5 s of silence.
    stack = await startStack({ agentTimeoutMs: 5000 });
    const doomed = stack.spawnAgent([
      '--instance-id',
      'doomed',
      '--slots',
      '1',
      '--queue',
      '0',
      '--executors',
      'PROCESS,SHELL',
    ]);
    const ns = await stack.namespace('lost');
    const manifest = {
      apiVersion: 'taskrouter.io/v1alpha1',
      kind: 'Task',
      metadata: { name: 'survivor', namespace: ns },
      spec: { executor: 'SHELL', command: 'sleep 1; echo survived', retries: 1 },
    };
    await stack.apply(manifest);
    await until(
      async () =>
        (await phases(stack, ns)).some(
          (t) => t.metadata.name === 'survivor' && t.status?.phase === 'Running',
        ),
      'Running on the doomed agent',
    );
    // The agent dies without a word: its heartbeats stop.
    doomed.kill('SIGKILL');
    await stack.addAgent({ instanceId: 'rescuer', slots: 1, queueLength: 0 });
    await until(
      async () => {
        const t = (await phases(stack, ns)).find((x) => x.metadata.name === 'survivor');
        return t?.status?.phase === 'Complete';
      },
      'Complete on the rescuer',
      30_000,
    );
    const t = (await phases(stack, ns)).find((x) => x.metadata.name === 'survivor');
    expect(t?.status).toMatchObject({ agent: 'rescuer', attempts: 2 });
  });
});
