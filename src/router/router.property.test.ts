import fc from 'fast-check';
import { Router } from './router.js';
import type {
  AgentSpec,
  LabelSelector,
  PickResult,
  Reservation,
  Room,
  TaskDemand,
} from './types.js';

// A brute-force model of the router, written without the heap: every pick scans all agents.
// Stamps follow the documented tie-break: renewed on register and whenever free room changes.
interface RefAgent {
  spec: AgentSpec;
  free: Room;
  stamp: number;
}

class ReferenceRouter {
  agents = new Map<string, RefAgent>();
  private stamp = 0;

  register(spec: AgentSpec, free: Room): void {
    this.agents.set(spec.id, { spec, free, stamp: ++this.stamp });
  }

  remove(id: string): void {
    this.agents.delete(id);
  }

  setFree(id: string, free: Room): void {
    const a = this.agents.get(id);
    if (a === undefined) return;
    const same =
      a.free.slots === free.slots &&
      a.free.cpuMillis === free.cpuMillis &&
      a.free.memoryBytes === free.memoryBytes &&
      a.free.queue === free.queue;
    if (!same) this.agents.set(id, { ...a, free, stamp: ++this.stamp });
  }

  pick(d: TaskDemand): PickResult {
    const all = [...this.agents.values()].filter(
      (a) => a.spec.executors.includes(d.executor) && refMatches(a.spec.labels, d.selector),
    );
    const now = all.filter(
      (a) =>
        a.free.slots > 0 && a.free.cpuMillis >= d.cpuMillis && a.free.memoryBytes >= d.memoryBytes,
    );
    const canEver = (a: RefAgent): boolean =>
      a.spec.capacity.slots > 0 &&
      a.spec.capacity.cpuMillis >= d.cpuMillis &&
      a.spec.capacity.memoryBytes >= d.memoryBytes;
    const queued = all.filter((a) => a.free.queue > 0 && canEver(a));
    const best = (xs: RefAgent[]): RefAgent | undefined => {
      const key = (a: RefAgent): number[] => [
        -a.free.slots,
        -a.free.cpuMillis,
        -a.free.memoryBytes,
        -a.free.queue,
        a.stamp,
      ];
      const sorted = [...xs].sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
        return 0;
      });
      return sorted[0];
    };
    const n = best(now);
    if (n) return { kind: 'picked', agent: { ...n.spec, free: n.free }, mode: 'slot' };
    const q = best(queued);
    if (q) return { kind: 'picked', agent: { ...q.spec, free: q.free }, mode: 'queue' };
    return all.some(canEver) ? { kind: 'NoCapacity' } : { kind: 'NoMatchingAgent' };
  }
}

function refMatches(labels: Record<string, string>, sel: LabelSelector | undefined): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (sel.matchExpressions ?? []).every((r) => {
    const v = labels[r.key];
    if (r.operator === 'In') return v !== undefined && (r.values ?? []).includes(v);
    if (r.operator === 'NotIn') return v === undefined || !(r.values ?? []).includes(v);
    if (r.operator === 'Exists') return v !== undefined;
    return v === undefined;
  });
}

const zones = ['a', 'b', 'c'];
const arbRoom = fc.record({
  slots: fc.integer({ min: 0, max: 3 }),
  cpuMillis: fc.constantFrom(0, 1000, 2000, 2000, 4000),
  memoryBytes: fc.constantFrom(0, 2, 4, 4, 8),
  queue: fc.integer({ min: 0, max: 2 }),
});
const arbLabels = fc.record(
  { zone: fc.constantFrom(...zones), gpu: fc.constant('yes'), tier: fc.constantFrom('x', 'y') },
  { requiredKeys: [] },
);
const arbAgentWith = (maxId: number) =>
  fc.record({
    id: fc.integer({ min: 0, max: maxId }).map((i) => `agent-${i}`),
    // A few common shapes make ties frequent, which is where a tie-break bug would hide.
    capacity: fc.oneof(
      fc.constantFrom(
        { slots: 2, cpuMillis: 2000, memoryBytes: 4, queue: 1 },
        { slots: 1, cpuMillis: 4000, memoryBytes: 8, queue: 2 },
      ),
      arbRoom,
    ),
    executors: fc.oneof(
      fc.constant(['PROCESS', 'SHELL']),
      fc.subarray(['PROCESS', 'SHELL', 'OTHER'], { minLength: 1 }),
    ),
    labels: arbLabels,
    freeShare: fc.double({ min: 0, max: 1, noNaN: true }),
  });
type AgentInput = typeof arbAgentWith extends (n: number) => fc.Arbitrary<infer A> ? A : never;
const arbSelector: fc.Arbitrary<LabelSelector | undefined> = fc.option(
  fc.record(
    {
      matchLabels: fc.record({ zone: fc.constantFrom(...zones, 'z') }, { requiredKeys: [] }),
      matchExpressions: fc.array(
        fc.oneof(
          fc.record({
            key: fc.constantFrom('zone', 'tier', 'gpu'),
            operator: fc.constantFrom('In' as const, 'NotIn' as const),
            values: fc.subarray(['a', 'b', 'c', 'x', 'y', 'yes'], { minLength: 1 }),
          }),
          fc.record({
            key: fc.constantFrom('zone', 'tier', 'gpu'),
            operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const),
          }),
        ),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined, freq: 2 },
);
const arbDemand: fc.Arbitrary<TaskDemand> = fc
  .record({
    cpuMillis: fc.constantFrom(0, 0, 250, 500, 1000, 3000),
    memoryBytes: fc.constantFrom(0, 0, 1, 3, 8),
    executor: fc.constantFrom('PROCESS', 'PROCESS', 'PROCESS', 'SHELL', 'NONE'),
    selector: arbSelector,
  })
  .map(({ selector, ...rest }) => (selector === undefined ? rest : { ...rest, selector }));

type Op =
  | { op: 'register'; agent: AgentInput }
  | { op: 'remove'; index: number }
  | { op: 'report'; index: number; share: number }
  | { op: 'pick'; demand: TaskDemand; reserve: boolean }
  | { op: 'release'; index: number };

// A batch of registrations first, so most picks face a populated router.
const arbOpsWith = (maxId: number, maxOps: number): fc.Arbitrary<Op[]> =>
  fc
    .tuple(
      fc.array(arbAgentWith(maxId), { minLength: 1, maxLength: maxId + 1, size: 'max' }),
      fc.array(arbOpWith(maxId), { maxLength: maxOps, size: 'max' }),
    )
    .map(([agents, ops]) => [
      ...agents.map((agent) => ({ op: 'register' as const, agent })),
      ...ops,
    ]);

const arbOpWith = (maxId: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: arbAgentWith(maxId).map((agent) => ({ op: 'register' as const, agent })),
    },
    { weight: 1, arbitrary: fc.nat().map((index) => ({ op: 'remove' as const, index })) },
    {
      weight: 2,
      arbitrary: fc
        .record({
          index: fc.nat(),
          share: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
        })
        .map((r) => ({ op: 'report' as const, ...r })),
    },
    {
      weight: 6,
      arbitrary: fc
        .record({ demand: arbDemand, reserve: fc.constantFrom(true, false, false) })
        .map((r) => ({ op: 'pick' as const, ...r })),
    },
    { weight: 2, arbitrary: fc.nat().map((index) => ({ op: 'release' as const, index })) },
  );

function share(cap: Room, s: number): Room {
  return {
    slots: Math.floor(cap.slots * s),
    cpuMillis: Math.floor(cap.cpuMillis * s),
    memoryBytes: Math.floor(cap.memoryBytes * s),
    queue: Math.floor(cap.queue * s),
  };
}

function summary(r: PickResult): string {
  return r.kind === 'picked' ? `${r.agent.id}/${r.mode}` : r.kind;
}

function run(ops: Op[], indexScanMax: number): void {
  const router = new Router({ indexScanMax });
  const ref = new ReferenceRouter();
  const held: Reservation[] = [];
  const ids = (): string[] => [...ref.agents.keys()].sort();
  for (const op of ops) {
    switch (op.op) {
      case 'register': {
        const { id, capacity, executors, labels, freeShare } = op.agent;
        const spec = { id, capacity, executors, labels };
        const free = share(capacity, freeShare);
        router.register(spec, free);
        ref.register(spec, free);
        break;
      }
      case 'remove': {
        const id = ids()[op.index % Math.max(1, ref.agents.size)];
        if (id === undefined) break;
        expect(router.remove(id)).toBe(true);
        ref.remove(id);
        break;
      }
      case 'report': {
        const id = ids()[op.index % Math.max(1, ref.agents.size)];
        if (id === undefined) break;
        const free = share(ref.agents.get(id)!.spec.capacity, op.share);
        router.report(id, free);
        ref.setFree(id, free);
        break;
      }
      case 'pick': {
        const got = router.pick(op.demand);
        expect(summary(got)).toBe(summary(ref.pick(op.demand)));
        if (op.reserve && got.kind === 'picked') {
          const r = router.reserve(got.agent.id, op.demand);
          expect(r.mode).toBe(got.mode);
          held.push(r);
          const f = ref.agents.get(r.agentId)!.free;
          ref.setFree(
            r.agentId,
            r.mode === 'slot'
              ? {
                  ...f,
                  slots: f.slots - 1,
                  cpuMillis: f.cpuMillis - r.cpuMillis,
                  memoryBytes: f.memoryBytes - r.memoryBytes,
                }
              : { ...f, queue: f.queue - 1 },
          );
        }
        break;
      }
      case 'release': {
        const r = held.splice(op.index % Math.max(1, held.length), 1)[0];
        if (r === undefined) break;
        router.release(r);
        const a = ref.agents.get(r.agentId);
        if (a === undefined) break;
        const c = a.spec.capacity;
        const slot = r.mode === 'slot';
        ref.setFree(r.agentId, {
          slots: Math.min(c.slots, a.free.slots + (slot ? 1 : 0)),
          cpuMillis: Math.min(c.cpuMillis, a.free.cpuMillis + r.cpuMillis),
          memoryBytes: Math.min(c.memoryBytes, a.free.memoryBytes + r.memoryBytes),
          queue: Math.min(c.queue, a.free.queue + (slot ? 0 : 1)),
        });
        break;
      }
    }
    // The router's bookkeeping agrees with the model after every step.
    expect(router.size).toBe(ref.agents.size);
    router.verifyInvariants();
  }
  for (const a of router.agents()) expect(a.free).toEqual(ref.agents.get(a.id)!.free);
}

describe('Router against a brute-force reference', () => {
  it('picks the same agent as a full scan when walking the heap', () => {
    fc.assert(
      fc.property(arbOpsWith(15, 120), (ops) => {
        run(ops, 0);
      }),
      { numRuns: 400 },
    );
  });

  it('picks the same agent as a full scan when scanning the label index', () => {
    fc.assert(
      fc.property(arbOpsWith(15, 120), (ops) => {
        run(ops, 1_000);
      }),
      { numRuns: 400 },
    );
  });

  it('picks the same agent as a full scan with many agents and a small index budget', () => {
    fc.assert(
      fc.property(arbOpsWith(200, 400), (ops) => {
        run(ops, 3);
      }),
      { numRuns: 60 },
    );
  });
});
