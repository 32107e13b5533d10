import { isObject, type SchemaNode } from './schema-node.js';

function missing(value: unknown, node: SchemaNode): boolean {
  // A null where null is not allowed counts as absent, so the default replaces it.
  return value === undefined || (value === null && !node.nullable);
}

/**
 * Fills defaults in place below `value`, as the API server does: a property's default applies only
 * where its parent object exists, and defaults are themselves defaulted further down.
 */
export function applyDefaultsAt(node: SchemaNode, value: unknown, root = false): void {
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items) return;
    value.forEach((v, i) => {
      if (v === null && items.hasDefault && !items.nullable)
        value[i] = structuredClone(items.default);
      applyDefaultsAt(items, value[i]);
    });
    return;
  }
  if (!isObject(value)) return;
  if (node.properties) {
    for (const [key, prop] of node.properties) {
      if (prop.hasDefault && missing(value[key], prop)) {
        value[key] = structuredClone(prop.default);
      }
    }
  }
  for (const [key, v] of Object.entries(value)) {
    if (root && key === 'metadata') continue;
    const prop = node.properties?.get(key);
    if (prop) {
      applyDefaultsAt(prop, v);
    } else if (typeof node.additionalProperties === 'object') {
      applyDefaultsAt(node.additionalProperties, v);
    }
  }
}
