import { childPath, indexPath, isObject, type SchemaNode } from './schema-node.js';

const EMBEDDED_KEYS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Removes, in place, every field below `value` that the schema does not know, and returns their
 * paths. Unknown fields stay under `x-kubernetes-preserve-unknown-fields`; `apiVersion`, `kind` and
 * `metadata` stay at the root and in embedded resources (the API server owns metadata).
 */
export function pruneAt(node: SchemaNode, value: unknown, path: string, root = false): string[] {
  const removed: string[] = [];
  if (Array.isArray(value)) {
    const items = node.items;
    if (items) value.forEach((v, i) => removed.push(...pruneAt(items, v, indexPath(path, i))));
    return removed;
  }
  if (!isObject(value)) return removed;
  const keepTypeMeta = root || node.embeddedResource;
  for (const [key, v] of Object.entries(value)) {
    const here = childPath(path, key);
    const prop = node.properties?.get(key);
    if (keepTypeMeta && EMBEDDED_KEYS.has(key)) {
      // metadata is kept whole: its fields are checked by the API server, not pruned by the CRD.
      if (prop && key !== 'metadata') removed.push(...pruneAt(prop, v, here));
    } else if (prop) {
      removed.push(...pruneAt(prop, v, here));
    } else if (typeof node.additionalProperties === 'object') {
      removed.push(...pruneAt(node.additionalProperties, v, here));
    } else if (!node.preserveUnknownFields && node.additionalProperties !== true) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- pruning is deleting keys
      delete value[key];
      removed.push(here);
    }
  }
  return removed;
}
