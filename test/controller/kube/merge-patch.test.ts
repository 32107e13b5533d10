import { jsonEqual, mergePatchBetween } from '../../../src/controller/kube/merge-patch.js';

describe('mergePatchBetween', () => {
  it.each([
    [
      'sends nothing when the statuses are equal',
      { phase: 'Running', attempts: 1 },
      { attempts: 1, phase: 'Running' },
      undefined,
    ],
    ['sends the whole status on a Task with none', {}, { phase: 'Pending' }, { phase: 'Pending' }],
    [
      'sends only the changed field',
      { phase: 'Running', agent: 'a' },
      { phase: 'Complete', agent: 'a' },
      { phase: 'Complete' },
    ],
    [
      'removes a field the desired status lacks',
      { phase: 'Pending', reason: 'NoCapacity' },
      { phase: 'Running' },
      { phase: 'Running', reason: null },
    ],
    [
      'treats an undefined member as absent',
      { phase: 'Running' },
      { phase: 'Running', reason: undefined },
      undefined,
    ],
  ])('%s', (_name, from, to, expected) => {
    expect(mergePatchBetween(from, to)).toEqual(expected);
  });

  it('sends a changed conditions list whole, as a merge patch replaces lists', () => {
    const succeeded = { type: 'Succeeded', status: 'Unknown', reason: 'Running', message: '' };
    const dispatched = { type: 'Dispatched', status: 'True', reason: 'Dispatched', message: '' };
    const from = { conditions: [succeeded, dispatched] };
    const to = { conditions: [{ ...succeeded, status: 'True' }, dispatched] };
    expect(mergePatchBetween(from, to)).toEqual({ conditions: to.conditions });
  });

  it('recurses into nested objects', () => {
    expect(mergePatchBetween({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } })).toEqual({
      a: { c: 3 },
    });
  });

  it('yields a patch that, applied, gives the desired value (random objects)', () => {
    const apply = (target: unknown, patch: unknown): unknown => {
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
      const base = new Map(
        typeof target === 'object' && target !== null && !Array.isArray(target)
          ? Object.entries(target)
          : [],
      );
      for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
        if (v === null) base.delete(k);
        else base.set(k, apply(base.get(k), v));
      }
      return Object.fromEntries(base);
    };
    const values = ['x', 1, true, [1, 2], { n: 1 }, { n: 2, m: 'y' }];
    for (let i = 0; i < 500; i++) {
      const pick = (): Record<string, unknown> => {
        const o: Record<string, unknown> = {};
        for (const k of ['a', 'b', 'c']) {
          if (Math.random() < 0.6) o[k] = values[Math.floor(Math.random() * values.length)];
        }
        return o;
      };
      const from = pick();
      const to = pick();
      const patch = mergePatchBetween(from, to);
      if (patch === undefined) expect(jsonEqual(from, to)).toBe(true);
      else expect(apply(from, patch)).toEqual(to);
    }
  });
});
