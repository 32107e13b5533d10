/**
 * Kubernetes resource quantities (`500m`, `2`, `1.5Gi`, `1e3`), parsed into the integer units the
 * router compares: CPU in millicores and memory in bytes. Both round up, as the API server does,
 * so a task never asks for less than its manifest says.
 */

/** Thrown for a string that is not a Kubernetes quantity; names the field at fault. */
export class QuantityError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    detail: string,
  ) {
    super(`${field}: invalid quantity ${JSON.stringify(value)}: ${detail}`);
    this.name = 'QuantityError';
  }
}

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

const MULTIPLIER: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses a quantity into its value in base units (cores, bytes) as a float. */
export function parseQuantity(value: string | number, field = 'quantity'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new QuantityError(field, value, 'expected a finite number >= 0');
    }
    return value;
  }
  const match = QUANTITY.exec(value.trim());
  if (match === null) {
    throw new QuantityError(
      field,
      value,
      'expected a number with an optional suffix such as m, k, Mi, Gi',
    );
  }
  const [, digits = '', suffix, exponent] = match;
  const scale = exponent !== undefined ? 10 ** Number(exponent) : (MULTIPLIER[suffix ?? ''] ?? 1);
  const result = Number(digits) * scale;
  if (!Number.isFinite(result) || result < 0) {
    throw new QuantityError(field, value, 'expected a finite quantity >= 0');
  }
  return result;
}

/**
 * CPU in whole millicores, rounded up: `250m` → 250, `1.5` → 1500, `1` → 1000. Refuses a result
 * above Number.MAX_SAFE_INTEGER millicores (about 9e12 cores).
 */
export function parseCpuMillis(value: string | number, field = 'cpu'): number {
  return safeCount(ceilExact(parseQuantity(value, field) * 1000), field, value, 'millicores');
}

/**
 * Memory in whole bytes, rounded up: `64Mi` → 67108864, `1G` → 1e9. Refuses a result above
 * Number.MAX_SAFE_INTEGER bytes (8 PiB), such as `9Ei`.
 */
export function parseMemoryBytes(value: string | number, field = 'memory'): number {
  return safeCount(ceilExact(parseQuantity(value, field)), field, value, 'bytes');
}

// Beyond 2^53 integers are no longer exact, so sums and comparisons of capacity go wrong and the
// wire codec refuses the count; better to say so where the number is read.
function safeCount(n: number, field: string, value: string | number, unit: string): number {
  if (!Number.isSafeInteger(n)) {
    throw new QuantityError(
      field,
      value,
      `expected at most ${Number.MAX_SAFE_INTEGER} ${unit}, got ${n} ${unit}`,
    );
  }
  return n;
}

// Float products such as 0.1 * 1000 = 100.00000000000001 must not round up to 101.
function ceilExact(n: number): number {
  const rounded = Math.round(n);
  return Math.abs(n - rounded) < 1e-9 * Math.max(1, Math.abs(n)) ? rounded : Math.ceil(n);
}
