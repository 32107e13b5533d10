import type { CelInput } from '@bufbuild/cel';
import { isObject, propertyNode, type SchemaNode } from './schema-node.js';

/**
 * Converts a JSON value to what CEL sees, typed by the schema as the API server does: integers
 * become CEL `int` (bigint), numbers `double`, objects maps, lists lists. Values with no schema
 * below a preserve-unknown-fields node are typed by their shape.
 */
// TODO(#2): strings with format date-time or duration stay strings here; the API server gives
// CEL timestamp and duration values for them.
export function toCel(value: unknown, node: SchemaNode | undefined): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const wantsDouble = node?.type === 'number';
    if (!wantsDouble && Number.isSafeInteger(value)) return BigInt(value);
    return value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    return value.map((v) => toCel(v, node?.items));
  }
  if (isObject(value)) {
    const out = new Map<string, CelInput>();
    for (const [k, v] of Object.entries(value)) {
      out.set(k, toCel(v, node ? propertyNode(node, k) : undefined));
    }
    return out;
  }
  return null;
}
