const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= last;
}

/** An RFC 3339 date-time, as Kubernetes accepts it (`2024-05-01T10:00:00Z`, offsets, fractions). */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec] = m as unknown as string[];
  if (y === undefined || mo === undefined || d === undefined) return false;
  return validDate(y, mo, d) && Number(h) < 24 && Number(mi) < 60 && Number(sec) < 61;
}

/** A full date, `2024-05-01`. */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  return m !== null && validDate(m[1] ?? '', m[2] ?? '', m[3] ?? '');
}

/**
 * Whether `value` fits `format`. Formats this engine does not know pass, as the API server lets
 * unknown formats through.
 */
export function matchesFormat(format: string, value: unknown): boolean {
  switch (format) {
    case 'date-time':
      return typeof value !== 'string' || isDateTime(value);
    case 'date':
      return typeof value !== 'string' || isDate(value);
    case 'int-or-string':
      return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
    default:
      // TODO(#2): uuid, byte, duration, hostname and the other formats the API server checks.
      return true;
  }
}

/** The JSON type name the API server uses for a value in type errors: `integer`, `null`, ... */
export function jsonTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value;
  return 'object';
}

/** Structural equality of JSON values, for enums, uniqueness and list keys. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => k in bo && jsonEqual((a as Record<string, unknown>)[k], bo[k]));
}
