import fc from 'fast-check';
import { PendingQueue } from './pending-queue.js';
import type { PendingItem } from './pending-queue.js';

const item = (key: string, priority: number, createdAtMs: number): PendingItem => ({
  key,
  priority,
  createdAtMs,
});

function drain(q: PendingQueue): string[] {
  const keys: string[] = [];
  for (let i = q.pop(); i !== undefined; i = q.pop()) keys.push(i.key);
  return keys;
}

describe('PendingQueue', () => {
  it('routes higher priority first, then older first', () => {
    const q = new PendingQueue();
    q.upsert(item('ns/new-low', 0, 300));
    q.upsert(item('ns/old-low', 0, 100));
    q.upsert(item('ns/high', 5, 400));
    q.upsert(item('ns/negative', -1, 0));
    expect(q.peek()?.key).toBe('ns/high');
    expect(drain(q)).toEqual(['ns/high', 'ns/old-low', 'ns/new-low', 'ns/negative']);
  });

  it('removes by key and moves an item whose priority changed', () => {
    const q = new PendingQueue();
    q.upsert(item('a', 0, 1));
    q.upsert(item('b', 0, 2));
    q.upsert(item('c', 0, 3));
    expect(q.remove('a')).toBe(true);
    expect(q.remove('a')).toBe(false);
    q.upsert(item('c', 9, 3));
    expect(q.size).toBe(2);
    expect(q.ordered().map((i) => i.key)).toEqual(['c', 'b']);
    expect(drain(q)).toEqual(['c', 'b']);
  });

  it('agrees with a full sort after any mix of upserts and removes', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('upsert' as const),
        key: fc.integer({ min: 0, max: 20 }).map(String),
        priority: fc.integer({ min: -2, max: 2 }),
        createdAtMs: fc.integer({ min: 0, max: 5 }),
      }),
      fc.record({
        kind: fc.constant('remove' as const),
        key: fc.integer({ min: 0, max: 20 }).map(String),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
        const q = new PendingQueue();
        const model = new Map<string, PendingItem>();
        for (const o of ops) {
          if (o.kind === 'upsert') {
            q.upsert(o);
            model.set(o.key, item(o.key, o.priority, o.createdAtMs));
          } else {
            expect(q.remove(o.key)).toBe(model.delete(o.key));
          }
        }
        const expected = [...model.values()]
          .sort(
            (a, b) =>
              b.priority - a.priority || a.createdAtMs - b.createdAtMs || (a.key < b.key ? -1 : 1),
          )
          .map((i) => i.key);
        expect(q.ordered().map((i) => i.key)).toEqual(expected);
        expect(drain(q)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
