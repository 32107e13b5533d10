import type { CelInput } from '@bufbuild/cel';
import { evaluateRule, type CompiledRule } from './cel-rules.js';
import { toCel } from './cel-values.js';
import type { FieldError } from './schema-errors.js';
import { ROOT_FIELD } from './schema-errors.js';
import { jsonEqual } from './schema-format.js';
import { childPath, indexPath, isObject, propertyNode, type SchemaNode } from './schema-node.js';

/** The `oldSelf` of a value that has no old counterpart (create, or a new list item). */
const NO_OLD = Symbol('no old value');
type Old = unknown;

function rulePath(path: string, fieldPath: string | undefined): string {
  if (fieldPath === undefined || fieldPath === '') return path;
  // fieldPath is written as `.a.b` or `.a['b']`; both name children of the rule's node.
  const parts = fieldPath.split(/\.|\[['"]?|['"]?\]/).filter((p) => p !== '');
  return parts.reduce((p, k) => childPath(p, k), path);
}

function selfForRoot(value: Record<string, unknown>): Record<string, unknown> {
  // At the root, CEL sees only the name fields of metadata, as on a real API server.
  const meta = isObject(value.metadata) ? value.metadata : {};
  const visible: Record<string, unknown> = {};
  if (typeof meta.name === 'string') visible.name = meta.name;
  if (typeof meta.generateName === 'string') visible.generateName = meta.generateName;
  return { ...value, metadata: visible };
}

function runRules(
  node: SchemaNode,
  value: unknown,
  old: Old,
  path: string,
  errs: FieldError[],
  root: boolean,
): void {
  let self: CelInput | undefined;
  let oldSelf: CelInput | undefined;
  for (const rule of node.rules) {
    if (rule.usesOldSelf && old === NO_OLD) continue;
    self ??= toCel(root && isObject(value) ? selfForRoot(value) : value, node);
    oldSelf ??= old === NO_OLD ? null : toCel(root && isObject(old) ? selfForRoot(old) : old, node);
    const outcome = evaluateRule(rule, self, oldSelf);
    if (!outcome.ok)
      errs.push(ruleError(rule, node, rulePath(path, rule.fieldPath), outcome.detail));
  }
}

function ruleError(
  rule: CompiledRule,
  node: SchemaNode,
  field: string,
  detail: string,
): FieldError {
  const shown = field === '' ? ROOT_FIELD : field;
  if (rule.reason === 'FieldValueInvalid' || rule.reason === 'FieldValueDuplicate') {
    return { type: rule.reason, field: shown, value: node.type ?? '', message: detail };
  }
  return { type: rule.reason, field: shown, message: detail };
}

function correlatedItem(node: SchemaNode, item: unknown, oldList: Old): Old {
  if (!Array.isArray(oldList)) return NO_OLD;
  // Only list items with an identity (map keys, or set values) are matched with old ones.
  if (node.listType === 'map' && isObject(item)) {
    const keys = node.listMapKeys;
    const match = (oldList as unknown[]).find(
      (o) => isObject(o) && keys.every((k) => jsonEqual(o[k], item[k])),
    );
    return match === undefined ? NO_OLD : match;
  }
  if (node.listType === 'set') {
    return oldList.some((o) => jsonEqual(o, item)) ? item : NO_OLD;
  }
  return NO_OLD;
}

/**
 * Runs every CEL rule of `node` and below on `value`. `old` is the value at the same place in the
 * stored object (absent on create), which transition rules need as `oldSelf`.
 */
export function validateRules(
  node: SchemaNode,
  value: unknown,
  old: Old,
  path: string,
  errs: FieldError[],
  root = false,
): void {
  if (!node.hasRulesBelow || value === null || value === undefined) return;
  runRules(node, value, old, path, errs, root);
  if (Array.isArray(value) && node.items) {
    const items = node.items;
    value.forEach((item, i) => {
      validateRules(items, item, correlatedItem(node, item, old), indexPath(path, i), errs);
    });
  } else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (root && key === 'metadata') continue;
      const child = propertyNode(node, key);
      if (!child) continue;
      const o = isObject(old) && old[key] !== undefined && old[key] !== null ? old[key] : NO_OLD;
      validateRules(child, v, o, childPath(path, key), errs);
    }
  }
  for (const branch of node.allOf) validateRules(branch, value, old, path, errs);
}

/** The marker for "no old value"; pass it as `old` on create. */
export const NO_OLD_VALUE: unknown = NO_OLD;
