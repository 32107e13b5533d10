import type { FieldError } from './schema-errors.js';
import { isObject, childPath, indexPath, type SchemaNode } from './schema-node.js';
import { jsonEqual, jsonTypeOf, matchesFormat } from './schema-format.js';

/** Where errors go while one object is walked. */
type Sink = FieldError[];

function invalid(errs: Sink, field: string, value: unknown, message: string): void {
  errs.push({ type: 'FieldValueInvalid', field, value, message });
}

function typeInvalid(errs: Sink, field: string, want: string, got: string): void {
  errs.push({
    type: 'FieldValueTypeInvalid',
    field,
    value: got,
    message: `${field} in body must be of type ${want}: ${JSON.stringify(got)}`,
  });
}

function typeMatches(node: SchemaNode, value: unknown): boolean {
  const got = jsonTypeOf(value);
  if (node.intOrString) return got === 'integer' || got === 'string';
  if (node.type === undefined) return true;
  return node.type === got || (node.type === 'number' && got === 'integer');
}

function checkEnum(node: SchemaNode, value: unknown, path: string, errs: Sink): void {
  if (!node.enum || node.enum.some((e) => jsonEqual(e, value))) return;
  const supported = node.enum.map((e) =>
    JSON.stringify(typeof e === 'string' ? e : JSON.stringify(e)),
  );
  errs.push({
    type: 'FieldValueNotSupported',
    field: path,
    value,
    message: `supported values: ${supported.join(', ')}`,
  });
}

/** Kubernetes counts characters (code points), not UTF-16 units. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function checkString(node: SchemaNode, value: string, path: string, errs: Sink): void {
  const length = codePoints(value);
  if (node.minLength !== undefined && length < node.minLength) {
    invalid(errs, path, value, `${path} in body should be at least ${node.minLength} chars long`);
  }
  if (node.maxLength !== undefined && length > node.maxLength) {
    errs.push({
      type: 'FieldValueTooLong',
      field: path,
      value,
      message: `may not be more than ${node.maxLength} bytes`,
    });
  }
  if (node.pattern && !node.pattern.regex.test(value)) {
    invalid(errs, path, value, `${path} in body should match '${node.pattern.source}'`);
  }
}

function checkNumber(node: SchemaNode, value: number, path: string, errs: Sink): void {
  if (node.minimum !== undefined) {
    if (node.exclusiveMinimum ? value <= node.minimum : value < node.minimum) {
      const rel = node.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      invalid(errs, path, value, `${path} in body should be ${rel} ${node.minimum}`);
    }
  }
  if (node.maximum !== undefined) {
    if (node.exclusiveMaximum ? value >= node.maximum : value > node.maximum) {
      const rel = node.exclusiveMaximum ? 'less than' : 'less than or equal to';
      invalid(errs, path, value, `${path} in body should be ${rel} ${node.maximum}`);
    }
  }
  if (node.multipleOf !== undefined && node.multipleOf > 0) {
    const q = value / node.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) {
      invalid(errs, path, value, `${path} in body should be a multiple of ${node.multipleOf}`);
    }
  }
}

function listKey(item: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (!isObject(item)) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (item[k] !== undefined) out[k] = item[k];
  }
  return out;
}

function checkListType(node: SchemaNode, value: unknown[], path: string, errs: Sink): void {
  if (node.listType !== 'set' && node.listType !== 'map') return;
  const seen: unknown[] = [];
  value.forEach((item, i) => {
    const key = node.listType === 'map' ? listKey(item, node.listMapKeys) : item;
    if (key === undefined) return;
    if (seen.some((s) => jsonEqual(s, key))) {
      errs.push({
        type: 'FieldValueDuplicate',
        field: indexPath(path, i),
        value: key,
        message: '',
      });
    } else {
      seen.push(key);
    }
  });
}

function checkArray(node: SchemaNode, value: unknown[], path: string, errs: Sink): void {
  if (node.minItems !== undefined && value.length < node.minItems) {
    invalid(
      errs,
      path,
      value.length,
      `${path} in body should have at least ${node.minItems} items`,
    );
  }
  if (node.maxItems !== undefined && value.length > node.maxItems) {
    errs.push({
      type: 'FieldValueTooMany',
      field: path,
      value: value.length,
      message: `must have at most ${node.maxItems} items`,
    });
  }
  if (node.uniqueItems && value.some((v, i) => value.slice(0, i).some((w) => jsonEqual(v, w)))) {
    invalid(errs, path, '', `${path} in body shouldn't contain duplicates`);
  }
  checkListType(node, value, path, errs);
  if (node.items) {
    const items = node.items;
    value.forEach((v, i) => {
      validateNode(items, v, indexPath(path, i), errs);
    });
  }
}

function checkObject(
  node: SchemaNode,
  value: Record<string, unknown>,
  path: string,
  errs: Sink,
  root: boolean,
): void {
  for (const key of node.required) {
    if (!(key in value) || value[key] === undefined) {
      errs.push({ type: 'FieldValueRequired', field: childPath(path, key), message: '' });
    }
  }
  const count = Object.keys(value).length;
  if (node.minProperties !== undefined && count < node.minProperties) {
    invalid(
      errs,
      path,
      count,
      `${path} in body should have at least ${node.minProperties} properties`,
    );
  }
  if (node.maxProperties !== undefined && count > node.maxProperties) {
    errs.push({
      type: 'FieldValueTooMany',
      field: path,
      value: count,
      message: `must have at most ${node.maxProperties} items`,
    });
  }
  for (const [key, v] of Object.entries(value)) {
    // Object metadata at the root is the API server's to check, not the CRD schema's.
    if (
      v === undefined ||
      (root && (key === 'metadata' || key === 'apiVersion' || key === 'kind'))
    ) {
      continue;
    }
    const child = node.properties?.get(key);
    const here = childPath(path, key);
    if (child) {
      validateNode(child, v, here, errs);
    } else if (typeof node.additionalProperties === 'object') {
      validateNode(node.additionalProperties, v, here, errs);
    } else if (node.additionalProperties === false) {
      invalid(errs, path, '', `${here} in body is a forbidden property`);
    }
  }
}

function checkBranches(node: SchemaNode, value: unknown, path: string, errs: Sink): void {
  for (const branch of node.allOf) {
    validateNode(branch, value, path, errs);
  }
  if (node.anyOf.length > 0) {
    const fits = node.anyOf.some((b) => {
      const sub: Sink = [];
      validateNode(b, value, path, sub);
      return sub.length === 0;
    });
    if (!fits)
      invalid(errs, path, value, `${path} in body must validate at least one schema (anyOf)`);
  }
}

/**
 * Checks `value` against `node` and everything below it, appending an error per failed keyword.
 * `path` is the field path of `value` (empty at the root). CEL rules are not run here.
 */
export function validateNode(
  node: SchemaNode,
  value: unknown,
  path: string,
  errs: Sink,
  root = false,
): void {
  if (value === null && node.nullable) return;
  if (!typeMatches(node, value)) {
    const want = node.intOrString ? 'integer,string' : (node.type ?? 'object');
    typeInvalid(errs, path, want, jsonTypeOf(value));
    return;
  }
  checkEnum(node, value, path, errs);
  if (node.format !== undefined && !matchesFormat(node.format, value)) {
    errs.push({
      type: 'FieldValueTypeInvalid',
      field: path,
      value,
      message: `${path} in body must be of type ${node.format}: ${JSON.stringify(value)}`,
    });
  }
  if (typeof value === 'string') checkString(node, value, path, errs);
  else if (typeof value === 'number') checkNumber(node, value, path, errs);
  else if (Array.isArray(value)) checkArray(node, value, path, errs);
  else if (isObject(value)) checkObject(node, value, path, errs, root);
  checkBranches(node, value, path, errs);
}
