import { InvalidSelectorError } from './errors.js';
import { matchesSelector, validateSelector } from './selector.js';
import type { LabelSelector } from './types.js';

const labels = { zone: 'a', gpu: 'yes' };

describe('matchesSelector', () => {
  it.each<[string, LabelSelector | undefined, boolean]>([
    ['no selector', undefined, true],
    ['an empty selector', {}, true],
    ['matchLabels that agree', { matchLabels: { zone: 'a' } }, true],
    ['matchLabels with another value', { matchLabels: { zone: 'b' } }, false],
    ['matchLabels with a missing key', { matchLabels: { disk: 'ssd' } }, false],
    [
      'In with the value',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'a'] }] },
      true,
    ],
    [
      'In without the value',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
      false,
    ],
    [
      'In on a missing key',
      { matchExpressions: [{ key: 'disk', operator: 'In', values: ['a'] }] },
      false,
    ],
    [
      'NotIn with the value',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      false,
    ],
    [
      'NotIn on a missing key',
      { matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['a'] }] },
      true,
    ],
    ['Exists on a present key', { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, true],
    ['Exists on a missing key', { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }, false],
    [
      'DoesNotExist on a present key',
      { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] },
      false,
    ],
    [
      'DoesNotExist on a missing key',
      { matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] },
      true,
    ],
    [
      'labels and expressions that must all hold',
      { matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] },
      false,
    ],
  ])('%s → %s', (_name, selector, expected) => {
    expect(matchesSelector(labels, selector)).toBe(expected);
  });

  it('does not match inherited object keys as labels', () => {
    const selector: LabelSelector = { matchExpressions: [{ key: 'toString', operator: 'Exists' }] };
    expect(matchesSelector({}, selector)).toBe(false);
  });
});

describe('validateSelector', () => {
  it.each<[string, LabelSelector, RegExp]>([
    [
      'In without values',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] },
      /matchExpressions\[0\]\.values: expected at least one value for operator In, got none/,
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] },
      /matchExpressions\[0\]\.values: expected no values for operator Exists, got 1/,
    ],
    [
      'an unknown operator',
      { matchExpressions: [{ key: 'zone', operator: 'Equals' as 'In', values: ['a'] }] },
      /matchExpressions\[0\]\.operator: expected In, NotIn, Exists or DoesNotExist, got "Equals"/,
    ],
  ])('refuses %s, naming the field', (_name, selector, message) => {
    expect(() => {
      validateSelector(selector);
    }).toThrow(InvalidSelectorError);
    expect(() => {
      validateSelector(selector);
    }).toThrow(message);
  });

  it('accepts a well-formed selector', () => {
    expect(() => {
      validateSelector({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] });
    }).not.toThrow();
  });
});
