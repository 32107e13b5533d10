type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One `metadata.managedFields` entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Obj;
  subresource?: string;
}

const SKIP_TOP = new Set(['apiVersion', 'kind']);
const SKIP_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'managedFields',
  'selfLink',
]);

/**
 * The FieldsV1 set an object's fields make: `f:<name>` per map key, lists atomic. Keyed list
 * items (`k:{...}`) are not tracked; a list is owned as a whole.
 */
export function fieldSet(obj: unknown, top = true): Obj {
  const out: Obj = {};
  if (!isObj(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (top && SKIP_TOP.has(k)) continue;
    if (top && k === 'metadata' && isObj(v)) {
      const meta: Obj = {};
      for (const [mk, mv] of Object.entries(v)) {
        if (SKIP_META.has(mk)) continue;
        meta[`f:${mk}`] = isObj(mv) ? { '.': {}, ...fieldSet(mv, false) } : {};
      }
      if (Object.keys(meta).length > 0) out['f:metadata'] = meta;
      continue;
    }
    out[`f:${k}`] = isObj(v) && Object.keys(v).length > 0 ? fieldSet(v, false) : {};
  }
  return out;
}

/** Records a write by `manager` in the object's managedFields, replacing its earlier entry. */
export function recordManager(
  obj: Obj,
  entry: Omit<ManagedFieldsEntry, 'fieldsType' | 'time'>,
  now: string,
): void {
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const list = Array.isArray(meta.managedFields)
    ? (meta.managedFields as ManagedFieldsEntry[])
    : [];
  const kept = list.filter(
    (e) =>
      !(
        e.manager === entry.manager &&
        e.operation === entry.operation &&
        (e.subresource ?? '') === (entry.subresource ?? '')
      ),
  );
  // Built without `delete`: objects that lose a key get slower to copy and serialize.
  const { subresource, ...rest } = entry;
  const full: ManagedFieldsEntry =
    subresource === undefined
      ? { ...rest, time: now, fieldsType: 'FieldsV1' }
      : { ...rest, subresource, time: now, fieldsType: 'FieldsV1' };
  kept.push(full);
  meta.managedFields = kept;
  obj.metadata = meta;
}

/** The fields a manager last applied, if it applied before. */
export function appliedFields(obj: Obj, manager: string): Obj | undefined {
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const list = Array.isArray(meta.managedFields)
    ? (meta.managedFields as ManagedFieldsEntry[])
    : [];
  return list.find(
    (e) => e.manager === manager && e.operation === 'Apply' && e.subresource === undefined,
  )?.fieldsV1;
}

/** Removes from `obj` the fields in `previous` that `current` no longer names. */
export function removeDropped(obj: unknown, previous: Obj, current: Obj): void {
  if (!isObj(obj)) return;
  for (const [fk, sub] of Object.entries(previous)) {
    if (!fk.startsWith('f:')) continue;
    const key = fk.slice(2);
    const now = current[fk];
    if (now === undefined) {
      if (key !== 'metadata') Reflect.deleteProperty(obj, key);
      continue;
    }
    if (isObj(sub) && isObj(now)) removeDropped(obj[key], sub, now);
  }
}

/** Server-side apply merge: maps merge key by key, lists and scalars replace. */
export function applyMerge(live: unknown, applied: unknown): unknown {
  if (!isObj(applied) || !isObj(live)) return structuredClone(applied);
  const out: Obj = { ...live };
  for (const [k, v] of Object.entries(applied)) {
    out[k] = v === null ? null : applyMerge(out[k], v);
  }
  return out;
}
