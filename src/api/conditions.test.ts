import {
  ConditionTypes,
  findCondition,
  formatTime,
  isConditionTrue,
  setCondition,
} from './conditions.js';
import { Reasons } from './reasons.js';
import type { Condition } from './types.js';

const t0 = new Date('2024-05-01T10:00:00.123Z');
const t1 = new Date('2024-05-01T10:05:00.000Z');

describe('setCondition', () => {
  it('adds a new condition stamped with the time in seconds', () => {
    const list: Condition[] = [];
    const update = {
      type: ConditionTypes.Succeeded,
      status: 'Unknown',
      reason: Reasons.Dispatched,
    } as const;
    expect(setCondition(list, update, t0)).toBe(true);
    expect(list).toEqual([
      {
        type: 'Succeeded',
        status: 'Unknown',
        reason: 'Dispatched',
        message: '',
        lastTransitionTime: '2024-05-01T10:00:00Z',
      },
    ]);
  });

  it('reports no change and keeps the time when nothing differs', () => {
    const list: Condition[] = [];
    setCondition(
      list,
      { type: 'Dispatched', status: 'True', reason: 'Dispatched', message: 'm' },
      t0,
    );
    const before = structuredClone(list);
    expect(
      setCondition(
        list,
        { type: 'Dispatched', status: 'True', reason: 'Dispatched', message: 'm' },
        t1,
      ),
    ).toBe(false);
    expect(list).toEqual(before);
  });

  it('updates reason and message without moving the transition time', () => {
    const list: Condition[] = [];
    setCondition(list, { type: 'Succeeded', status: 'Unknown', reason: 'Dispatched' }, t0);
    expect(
      setCondition(
        list,
        {
          type: 'Succeeded',
          status: 'Unknown',
          reason: 'Started',
          message: 'x',
          observedGeneration: 2,
        },
        t1,
      ),
    ).toBe(true);
    expect(list[0]).toMatchObject({
      reason: 'Started',
      message: 'x',
      observedGeneration: 2,
      lastTransitionTime: '2024-05-01T10:00:00Z',
    });
  });

  it('moves the transition time when the status changes', () => {
    const list: Condition[] = [];
    setCondition(list, { type: 'Succeeded', status: 'Unknown', reason: 'Started' }, t0);
    setCondition(list, { type: 'Succeeded', status: 'True', reason: 'Completed' }, t1);
    expect(findCondition(list, 'Succeeded')?.lastTransitionTime).toBe(formatTime(t1));
    expect(isConditionTrue(list, 'Succeeded')).toBe(true);
    expect(isConditionTrue(list, 'Dispatched')).toBe(false);
  });

  it('keeps one condition per type', () => {
    const list: Condition[] = [];
    setCondition(list, { type: 'Succeeded', status: 'Unknown', reason: 'A' }, t0);
    setCondition(list, { type: 'Dispatched', status: 'True', reason: 'B' }, t0);
    setCondition(list, { type: 'Succeeded', status: 'False', reason: 'C' }, t1);
    expect(list.map((c) => c.type)).toEqual(['Succeeded', 'Dispatched']);
  });
});
