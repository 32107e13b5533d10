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
