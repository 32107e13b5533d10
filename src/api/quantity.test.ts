import fc from 'fast-check';
import { parseCpuMillis, parseMemoryBytes, QuantityError } from './quantity.js';

describe('parseCpuMillis', () => {
  it.each([
    ['250m', 250],
    ['1', 1000],
    ['1.5', 1500],
    ['0.1', 100],
    ['2k', 2_000_000],
    ['1e-3', 1],
    ['100u', 1],
    [2, 2000],
  ] as const)('reads %p as %p millicores', (input, expected) => {
    expect(parseCpuMillis(input)).toBe(expected);
  });
});

describe('parseMemoryBytes', () => {
  it.each([
    ['64Mi', 64 * 1024 * 1024],
    ['1Gi', 1024 ** 3],
    ['1G', 1e9],
    ['512', 512],
    ['1.5Ki', 1536],
    ['1e3', 1000],
  ] as const)('reads %p as %p bytes', (input, expected) => {
    expect(parseMemoryBytes(input)).toBe(expected);
  });

  it.each(['', 'abc', '1Xi', '-1Gi', '1 Gi', '1.2.3', 'Mi'])(
    'refuses %p with an error naming the field',
    (input) => {
      expect(() => parseMemoryBytes(input, 'spec.resources.memory')).toThrow(QuantityError);
      expect(() => parseMemoryBytes(input, 'spec.resources.memory')).toThrow(
        /^spec\.resources\.memory: invalid quantity/,
      );
    },
  );

  it('round-trips whole mebibytes exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 20 }), (n) => {
        expect(parseMemoryBytes(`${n}Mi`)).toBe(n * 2 ** 20);
      }),
    );
  });
});

describe('quantities too large to count exactly', () => {
  it.each([
    ['memory', '9Ei', parseMemoryBytes],
    ['memory', '1e17', parseMemoryBytes],
    ['cpu', '1e18', parseCpuMillis],
    ['cpu', '10P', parseCpuMillis],
  ] as const)('refuses %s %p, naming the field, the limit and the value', (_kind, input, parse) => {
    expect(() => parse(input, '--x')).toThrow(QuantityError);
    expect(() => parse(input, '--x')).toThrow(
      new RegExp(`^--x: invalid quantity "${input}": expected at most 9007199254740991 `),
    );
    expect(() => parse(input, '--x')).toThrow(/got \d/);
  });

  it('accepts large quantities while they are still exact', () => {
    expect(parseMemoryBytes('7Pi')).toBe(7 * 2 ** 50);
    expect(() => parseMemoryBytes('8Pi')).toThrow(QuantityError);
    expect(parseCpuMillis('9007199254740m')).toBe(9007199254740);
  });
});
