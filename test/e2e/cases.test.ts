import { applyUntilSucceeded, fixture, startStack, waitFor } from './stack.js';
import type { Stack } from './stack.js';

interface TaskJson {
  metadata: { name: string };
  status?: Record<string, unknown> & {
    phase?: string;
    conditions?: { type: string; status: string }[];
  };
}

async function getTask(stack: Stack, ns: string, name: string): Promise<TaskJson> {
  return JSON.parse(await stack.kubectl('-n', ns, 'get', 'task', name, '-o', 'json')) as TaskJson;
}

async function waitPhase(stack: Stack, ns: string, name: string, phase: string): Promise<TaskJson> {
  return waitFor(async () => {
    const task = await getTask(stack, ns, name);
    return task.status?.phase === phase ? task : undefined;
  }, `${name} to be ${phase}`);
}

let seq = 0;
async function namespace(stack: Stack): Promise<string> {
  return stack.namespace(`e2e-${process.pid}-${seq++}`);
}

describe('the shared cases, end to end with real agents and kubectl', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    await stack.addAgent({ instanceId: 'agent-a', slots: 2, queueLength: 4 });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('runs hello world to Complete with its output and agent, and kubectl wait sees Succeeded', async () => {
    const ns = await namespace(stack);
    await applyUntilSucceeded(stack, ns, 'hello.yaml', 'hello');
    const task = await getTask(stack, ns, 'hello');
    expect(task.status).toMatchObject({
      phase: 'Complete',
      reason: 'Completed',
      exitCode: 0,
      output: 'hello world\n',
      agent: 'agent-a',
      attempts: 1,
    });
    const table = await stack.kubectl('-n', ns, 'get', 'tasks');
    expect(table).toMatch(/hello\s+Complete\s+agent-a\s+0\s+1/);
  });

  it('fails a script that exits 3 with reason ExitCode and never reports Complete', async () => {
    const ns = await namespace(stack);
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('exit-code.yaml'));
    const task = await waitPhase(stack, ns, 'exits-three', 'Failed');
    expect(task.status).toMatchObject({ exitCode: 3, reason: 'ExitCode' });
    expect(String(task.status?.output)).toContain('about to fail');
    expect(task.status?.conditions?.find((c) => c.type === 'Succeeded')?.status).toBe('False');
  });

  it('kills a command past its timeout, reason Timeout, and frees the slot', async () => {
    const ns = await namespace(stack);
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('timeout.yaml'));
    const task = await waitPhase(stack, ns, 'too-slow', 'Failed');
    expect(task.status).toMatchObject({ reason: 'Timeout' });
    const agent = stack.agents[0];
    await waitFor(
      () => Promise.resolve(agent?.tasks.free().slots === 2 ? true : undefined),
      'slot to be free',
    );
  });

  it('keeps a task Pending with NoMatchingAgent until an agent with the label registers', async () => {
    const ns = await namespace(stack);
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('no-match.yaml'));
    const pending = await waitFor(async () => {
      const t = await getTask(stack, ns, 'wants-gpu');
      return t.status?.reason === 'NoMatchingAgent' ? t : undefined;
    }, 'NoMatchingAgent');
    expect(pending.status?.phase).toBe('Pending');
    await stack.addAgent({ instanceId: 'agent-gpu', labels: { accelerator: 'gpu' } });
    const done = await waitPhase(stack, ns, 'wants-gpu', 'Complete');
    expect(done.status).toMatchObject({ agent: 'agent-gpu', output: 'ran on a gpu agent\n' });
  });
});
