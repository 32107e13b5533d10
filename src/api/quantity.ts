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

/** CPU in whole millicores, rounded up: `250m` → 250, `1.5` → 1500, `1` → 1000. */
export function parseCpuMillis(value: string | number, field = 'cpu'): number {
  return ceilExact(parseQuantity(value, field) * 1000);
}

/** Memory in whole bytes, rounded up: `64Mi` → 67108864, `1G` → 1e9. */
export function parseMemoryBytes(value: string | number, field = 'memory'): number {
  return ceilExact(parseQuantity(value, field));
}

// Float products such as 0.1 * 1000 = 100.00000000000001 must not round up to 101.
function ceilExact(n: number): number {
  const rounded = Math.round(n);
  return Math.abs(n - rounded) < 1e-9 * Math.max(1, Math.abs(n)) ? rounded : Math.ceil(n);
}
