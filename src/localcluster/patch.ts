import { ApiError } from './status.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A patch body that cannot be applied; answered with 422 like the API server. */
function patchError(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

/** RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return typeof patch === 'object' ? structuredClone(patch) : patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) Reflect.deleteProperty(out, k);
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function decodePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: unknown; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObj(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined)
      throw patchError(
        `the server rejected our request due to an error in our request: doc is missing path: "${path}"`,
      );
  }
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

function arrayIndex(arr: unknown[], key: string, forAdd: boolean, path: string): number {
  if (forAdd && key === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key)) throw patchError(`invalid array index "${key}" in "${path}"`);
  const i = Number(key);
  if (i > arr.length || (!forAdd && i === arr.length)) {
    throw patchError(
      `the server rejected our request due to an error in our request: index out of range: "${path}"`,
    );
  }
  return i;
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const t of decodePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObj(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = decodePointer(path);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, false, path);
    return parent.splice(i, 1)[0];
  }
  if (isObj(parent) && Object.prototype.hasOwnProperty.call(parent, key)) {
    const v = parent[key];
    Reflect.deleteProperty(parent, key);
    return v;
  }
  throw patchError(
    `the server rejected our request due to an error in our request: unable to remove nonexistent key: ${key}: missing value`,
  );
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, !replace, path);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else if (isObj(parent)) {
    if (replace && !Object.prototype.hasOwnProperty.call(parent, key)) {
      throw patchError(
        `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${path}: missing value`,
      );
    }
    parent[key] = structuredClone(value);
  } else {
    throw patchError(
      `the server rejected our request due to an error in our request: doc is missing path: "${path}"`,
    );
  }
  return doc;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test) on a copy of `target`. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw patchError(
      'the server rejected our request due to an error in our request: json patch must be a list of operations',
    );
  let doc: unknown = structuredClone(target);
  for (const raw of ops) {
    if (!isObj(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw patchError(
        'the server rejected our request due to an error in our request: each operation needs "op" and "path"',
      );
    }
    const path = raw.path;
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, path, raw.value, false);
        break;
      case 'replace':
        doc = addAt(doc, path, raw.value, true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move':
      case 'copy': {
        if (typeof raw.from !== 'string') throw patchError(`"${raw.op}" needs "from"`);
        const v =
          raw.op === 'move' ? removeAt(doc, raw.from) : structuredClone(getAt(doc, raw.from));
        if (v === undefined)
          throw patchError(
            `the server rejected our request due to an error in our request: missing value at "${raw.from}"`,
          );
        doc = addAt(doc, path, v, false);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw.value)) {
          throw patchError(
            `the server rejected our request due to an error in our request: testing value ${path} failed`,
          );
        }
        break;
      default:
        throw patchError(
          `the server rejected our request due to an error in our request: Unexpected kind: ${raw.op}`,
        );
    }
  }
  return doc;
}

/**
 * Lists that merge by a key under strategic merge patch, for the built-in fields the local
 * control plane serves. Other lists replace, as in a merge patch.
 */
const MERGE_KEYS: Record<string, string> = {
  ownerReferences: 'uid',
  conditions: 'type',
  managedFields: '',
};
const PRIMITIVE_MERGE_LISTS = new Set(['finalizers']);

/**
 * Strategic merge patch for the built-in kinds here (ConfigMap, Secret, Namespace, Lease,
 * Event): merge-patch semantics plus keyed list merge, `$patch: delete|replace`,
 * `$deleteFromPrimitiveList/<field>`; `$setElementOrder` and `$retainKeys` are accepted and ignored.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return structuredClone(rest);
  }
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      Reflect.deleteProperty(out, k);
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v) && PRIMITIVE_MERGE_LISTS.has(k)) {
      const base: unknown[] = Array.isArray(cur) ? [...(cur as unknown[])] : [];
      for (const x of v as unknown[]) if (!base.includes(x)) base.push(x);
      out[k] = base;
    } else if (Array.isArray(v) && MERGE_KEYS[k] !== undefined && MERGE_KEYS[k] !== '') {
      out[k] = mergeKeyedList(cur, v, MERGE_KEYS[k]);
    } else {
      out[k] = strategicMergePatch(cur, v);
    }
  }
  return out;
}

function mergeKeyedList(cur: unknown, patch: unknown[], key: string): unknown[] {
  const base = Array.isArray(cur) ? cur.map((x: unknown) => x) : [];
  for (const item of patch) {
    if (!isObj(item)) continue;
    const i = base.findIndex((b) => isObj(b) && b[key] === item[key]);
    if (item.$patch === 'delete') {
      if (i >= 0) base.splice(i, 1);
    } else if (i >= 0) {
      base[i] = strategicMergePatch(base[i], item);
    } else {
      base.push(strategicMergePatch({}, item));
    }
  }
  return base;
}
