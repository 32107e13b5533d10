import type { CallResult, ResourceCall } from './call.js';
import { fieldManagerOf } from './call.js';
import { appliedFields, applyMerge, fieldSet, removeDropped } from './managed-fields.js';
import type { Obj } from './object-util.js';
import { checkKindAndVersion, cloneJson, isObj, parseBody } from './object-util.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import type { Store } from './store.js';
import { ApiError, badRequest, notFound, unsupportedMediaType } from './status.js';
import type { Writes } from './writes.js';
import { isStatusWrite } from './writes.js';

/** PATCH in its four forms: merge, JSON, strategic merge (built-ins) and server-side apply. */
export class Patches {
  constructor(
    private readonly store: Store,
    private readonly writes: Writes,
  ) {}

  patch(call: ResourceCall): CallResult {
    const t = call.type;
    const ct = (call.contentType.split(';')[0] ?? '').trim();
    if (ct === 'application/apply-patch+yaml') return this.apply(call);
    const body = parseBody(call.body, 'application/json', t);
    const old = this.store.get(t.storageKey, call.namespace, call.name);
    if (old === undefined) throw notFound(t.group, t.plural, call.name);
    let patched: unknown;
    switch (ct) {
      case 'application/merge-patch+json':
        if (!isObj(body)) throw badRequest('a merge patch must be a JSON object');
        patched = mergePatch(old, body);
        break;
      case 'application/json-patch+json':
        patched = jsonPatch(old, body);
        break;
      case 'application/strategic-merge-patch+json':
        if (t.crdName !== undefined) {
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `strategic merge patch is not supported for ${t.kind}: use a merge or JSON patch`,
          );
        }
        if (!isObj(body)) throw badRequest('a strategic merge patch must be a JSON object');
        patched = strategicMergePatch(old, body);
        break;
      default:
        throw unsupportedMediaType(ct);
    }
    const next = checkKindAndVersion(t, patched);
    const manager = fieldManagerOf(call.query, call.userAgent);
    // A /status write keeps only the patched status, so only that is copied.
    const own = isStatusWrite(call) ? { ...next, status: cloneJson(next.status) } : cloneJson(next);
    return this.writes.replace(call, old, own, {
      manager,
      operation: 'Update',
      fieldsOf: Array.isArray(body) ? {} : body,
    });
  }

  /**
   * Server-side apply: creates when missing; otherwise drops the fields this manager applied
   * before and no longer names, then merges the applied configuration.
   */
  private apply(call: ResourceCall): CallResult {
    const t = call.type;
    const manager = call.query.get('fieldManager');
    if (manager === null || manager === '') {
      throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
    }
    const applied = checkKindAndVersion(t, parseBody(call.body, 'application/yaml', t));
    const mode = { manager, operation: 'Apply' as const, fieldsOf: applied };
    const old = this.store.get(t.storageKey, call.namespace, call.name);
    if (old === undefined) {
      const fresh = structuredClone(applied);
      if (call.subresource === 'status') throw notFound(t.group, t.plural, call.name);
      return this.writes.create(call, fresh, mode);
    }
    // TODO(#2): conflicts with fields owned by other managers are not detected; apply wins as if force=true.
    const next = structuredClone(old);
    const prev = appliedFields(old, manager);
    if (prev !== undefined) removeDropped(next, prev, fieldSet(applied));
    const merged = applyMerge(next, stripIdentity(applied)) as Obj;
    return this.writes.replace(call, old, merged, mode);
  }
}

/** Applied metadata may name the object but not overwrite its identity or version. */
function stripIdentity(applied: Obj): Obj {
  const out = structuredClone(applied);
  if (isObj(out.metadata)) {
    const m = out.metadata;
    delete m.resourceVersion;
    delete m.uid;
    delete m.managedFields;
  }
  return out;
}
