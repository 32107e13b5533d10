import { InvalidAgentError, InvalidDemandError, NoRoomError, UnknownAgentError } from './errors.js';
import { Router } from './router.js';
import type { AgentSpec, PickResult, Room, TaskDemand } from './types.js';

const room = (slots: number, cpuMillis = 4000, memoryBytes = 1 << 30, queue = 0): Room => ({
  slots,
  cpuMillis,
  memoryBytes,
  queue,
});

const agent = (id: string, capacity: Room, labels: Record<string, string> = {}): AgentSpec => ({
  id,
  capacity,
  executors: ['PROCESS', 'SHELL'],
  labels,
});

const task = (over: Partial<TaskDemand> = {}): TaskDemand => ({
  cpuMillis: 0,
  memoryBytes: 0,
  executor: 'PROCESS',
  ...over,
});

const picked = (r: PickResult): string =>
  r.kind === 'picked' ? `${r.agent.id}/${r.mode}` : r.kind;

describe('Router', () => {
  it('picks the agent with the most free slots', () => {
    const router = new Router();
    router.register(agent('a', room(2)));
    router.register(agent('b', room(4)));
    router.register(agent('c', room(3)));
    expect(picked(router.pick(task()))).toBe('b/slot');
  });

  it('prefers more free cpu, then more free memory, when free slots are equal', () => {
    const router = new Router();
    router.register(agent('a', room(2, 1000, 10)));
    router.register(agent('b', room(2, 2000, 5)));
    router.register(agent('c', room(2, 2000, 9)));
    expect(picked(router.pick(task()))).toBe('c/slot');
  });

  it('skips agents that lack the cpu or memory the task needs', () => {
    const router = new Router();
    router.register(agent('big-slots', room(8, 500, 100)));
    router.register(agent('big-cpu', room(1, 8000, 100)));
    expect(picked(router.pick(task({ cpuMillis: 1000 })))).toBe('big-cpu/slot');
    expect(picked(router.pick(task({ memoryBytes: 101 })))).toBe('NoMatchingAgent');
  });

  it('takes turns between agents with equal room', () => {
    const router = new Router();
    router.register(agent('a', room(1)));
    router.register(agent('b', room(1)));
    router.register(agent('c', room(1)));
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { result, reservation } = router.pickAndReserve(task());
      order.push(picked(result));
      if (reservation !== undefined) router.release(reservation);
    }
    expect(order).toEqual(['a/slot', 'b/slot', 'c/slot', 'a/slot', 'b/slot', 'c/slot']);
  });

  it('queues on a busy agent with queue room, so the task will be Waiting', () => {
    const router = new Router();
    router.register(agent('a', room(1, 1000, 100, 2)));
    const first = router.pickAndReserve(task({ cpuMillis: 1000 }));
    expect(picked(first.result)).toBe('a/slot');
    const second = router.pickAndReserve(task({ cpuMillis: 1000 }));
    expect(picked(second.result)).toBe('a/queue');
    expect(router.get('a')?.free).toEqual({ slots: 0, cpuMillis: 0, memoryBytes: 100, queue: 1 });
  });

  it('reports NoCapacity when a fitting agent exists but every slot and queue place is taken', () => {
    const router = new Router();
    router.register(agent('a', room(1, 1000, 100, 0)));
    const first = router.pickAndReserve(task());
    expect(picked(router.pick(task()))).toBe('NoCapacity');
    router.release(first.reservation!);
    expect(picked(router.pick(task()))).toBe('a/slot');
  });

  it.each([
    ['an executor no agent runs', task({ executor: 'PYTHON' })],
    ['labels no agent has', task({ selector: { matchLabels: { gpu: 'yes' } } })],
    ['more cpu than any agent owns', task({ cpuMillis: 64_000 })],
    [
      'a label outside the allowed values',
      task({ selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } }),
    ],
  ])('reports NoMatchingAgent for %s', (_name, demand) => {
    const router = new Router();
    router.register(agent('a', room(1), { zone: 'a' }));
    expect(picked(router.pick(demand))).toBe('NoMatchingAgent');
  });

  it('reports NoMatchingAgent when there are no agents', () => {
    expect(picked(new Router().pick(task()))).toBe('NoMatchingAgent');
  });

  it('routes by label through the index and through the heap alike', () => {
    for (const indexScanMax of [0, 1000]) {
      const router = new Router({ indexScanMax });
      router.register(agent('a', room(4), { zone: 'a' }));
      router.register(agent('b', room(2), { zone: 'b' }));
      router.register(agent('b2', room(3), { zone: 'b' }));
      const demand = task({ selector: { matchLabels: { zone: 'b' } } });
      expect(picked(router.pick(demand))).toBe('b2/slot');
    }
  });

  it('moves an agent in the order when its heartbeat reports new room', () => {
    const router = new Router();
    router.register(agent('a', room(4)));
    router.register(agent('b', room(4)), room(1));
    expect(picked(router.pick(task()))).toBe('a/slot');
    router.report('a', room(0, 4000, 1 << 30, 0));
    router.report('b', room(3));
    expect(picked(router.pick(task()))).toBe('b/slot');
  });

  it('forgets a removed agent and replaces one registered again under the same id', () => {
    const router = new Router();
    router.register(agent('a', room(4)));
    router.register(agent('b', room(2)));
    expect(router.remove('a')).toBe(true);
    expect(router.remove('a')).toBe(false);
    expect(picked(router.pick(task()))).toBe('b/slot');
    router.register(agent('b', room(1), { zone: 'x' }));
    expect(router.size).toBe(1);
    expect(router.get('b')?.labels).toEqual({ zone: 'x' });
    router.verifyInvariants();
  });

  it('never raises free room past capacity on release', () => {
    const router = new Router();
    router.register(agent('a', room(2, 1000, 10)));
    const { reservation } = router.pickAndReserve(task({ cpuMillis: 500, memoryBytes: 5 }));
    router.report('a', room(2, 1000, 10)); // the agent already counted the task as finished
    router.release(reservation!);
    expect(router.get('a')?.free).toEqual(room(2, 1000, 10));
  });

  it('ignores a release for an agent that is gone', () => {
    const router = new Router();
    router.register(agent('a', room(1)));
    const { reservation } = router.pickAndReserve(task());
    router.remove('a');
    expect(() => {
      router.release(reservation!);
    }).not.toThrow();
  });

  it('refuses to reserve on an agent without room or an unknown agent', () => {
    const router = new Router();
    router.register(agent('a', room(1, 1000)));
    expect(() => router.reserve('a', task({ cpuMillis: 2000 }))).toThrow(NoRoomError);
    expect(() => router.reserve('zz', task())).toThrow(UnknownAgentError);
    expect(() => {
      router.report('zz', room(1));
    }).toThrow(UnknownAgentError);
  });

  it.each([
    ['a negative slot count', room(-1), 'capacity.slots'],
    ['a fractional cpu', room(1, 0.5), 'capacity.cpuMillis'],
  ])('refuses an agent with %s, naming the field', (_name, capacity, field) => {
    expect(() => {
      new Router().register(agent('a', capacity));
    }).toThrow(new RegExp(`${field.replace('.', '\\.')}: expected a non-negative integer`));
  });

  it('refuses a report with more free room than capacity', () => {
    const router = new Router();
    router.register(agent('a', room(1)));
    expect(() => {
      router.report('a', room(2));
    }).toThrow(InvalidAgentError);
    expect(() => {
      router.report('a', room(2));
    }).toThrow(/free\.slots: expected at most the capacity 1, got 2/);
  });

  it('refuses a task demand that is not a whole non-negative number', () => {
    expect(() => new Router().pick(task({ cpuMillis: -1 }))).toThrow(InvalidDemandError);
  });
});
