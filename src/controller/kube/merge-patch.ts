/**
 * JSON merge patch (RFC 7386) computed between two JSON values. Pure.
 *
 * Lists are compared and sent whole, because a merge patch replaces a list whole: a changed
 * `conditions` list must travel complete, never as the changed entry alone.
 */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality over JSON values, treating an `undefined` member as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      if (!jsonEqual(a[key], b[key])) return false;
    }
    return true;
  }
  return false;
}

/**
 * The merge patch that turns `from` into `to`, or `undefined` when they are equal. Members of
 * `from` missing in `to` become `null` (removal).
 */
export function mergePatchBetween(from: unknown, to: unknown): unknown {
  if (jsonEqual(from, to)) return undefined;
  if (!isObject(to)) return to === undefined ? null : to;
  if (!isObject(from)) return to;
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const target = to[key];
    if (target === undefined) {
      if (from[key] !== undefined) patch[key] = null;
      continue;
    }
    const member = mergePatchBetween(from[key], target);
    if (member !== undefined) patch[key] = member;
  }
  return patch;
}
