import type { CallResult, ResourceCall } from './call.js';
import type { Obj } from './object-util.js';
import { present } from './object-util.js';
import type { ResourceType } from './resource-types.js';
import { apiVersionOf } from './resource-types.js';
import type { FieldMatcher, LabelMatcher } from './selectors.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Store } from './store.js';
import { ApiError, badRequest, notFound } from './status.js';
import { parseIncludeObject, toTable, wantsTable } from './table.js';

const EVENT_FIELDS = new Set([
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
]);

/** Whether a field selector path is supported for this resource, as on a real API server. */
export function fieldAllowed(t: ResourceType, path: string): boolean {
  if (path === 'metadata.name' || path === 'metadata.namespace') return true;
  if (t.kind === 'Event' && t.group === '') return EVENT_FIELDS.has(path);
  if (t.kind === 'Event')
    return (
      path.startsWith('regarding.') ||
      path === 'reason' ||
      path === 'type' ||
      path === 'reportingController'
    );
  if (t.kind === 'Secret') return path === 'type';
  if (t.kind === 'Namespace') return path === 'status.phase';
  return false;
}

/** The selectors of a list or watch. */
export interface Selection {
  labels: LabelMatcher;
  fields: FieldMatcher;
}

export function selectionOf(call: ResourceCall): Selection {
  return {
    labels: parseLabelSelector(call.query.get('labelSelector')),
    fields: parseFieldSelector(call.query.get('fieldSelector'), (p) => fieldAllowed(call.type, p)),
  };
}

export function selects(sel: Selection, obj: Obj): boolean {
  const meta = obj.metadata as Obj;
  return sel.labels(meta.labels as Record<string, string> | undefined) && sel.fields(obj);
}

function encodeContinue(key: string, rv: number): string {
  return Buffer.from(JSON.stringify({ k: key, rv }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): { k: string; rv: number } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      k?: unknown;
      rv?: unknown;
    };
    if (typeof v.k === 'string' && typeof v.rv === 'number') return { k: v.k, rv: v.rv };
  } catch {
    // fall through to the error below
  }
  throw badRequest(`continue key is not valid: "${token}"`);
}

function keyOf(o: Obj): string {
  const m = o.metadata as Obj;
  return `${typeof m.namespace === 'string' ? m.namespace : ''}/${String(m.name)}`;
}

/** get, list and deletecollection. */
export class Reads {
  constructor(private readonly store: Store) {}

  get(call: ResourceCall, accept: string | undefined): CallResult {
    const t = call.type;
    const obj = this.store.get(t.storageKey, call.namespace, call.name);
    if (obj === undefined) throw notFound(t.group, t.plural, call.name);
    if (wantsTable(accept)) {
      const include = parseIncludeObject(call.query.get('includeObject'));
      return {
        code: 200,
        body: toTable(t, [present(t, obj)], include, {
          resourceVersion: String((obj.metadata as Obj).resourceVersion),
        }),
      };
    }
    return { code: 200, body: present(t, obj) };
  }

  /** The objects a list selects, in key order; also used to seed watches. */
  selected(call: ResourceCall): Obj[] {
    const sel = selectionOf(call);
    const ns = call.type.namespaced && call.namespace !== '' ? call.namespace : undefined;
    return this.store.list(call.type.storageKey, ns).filter((o) => selects(sel, o));
  }

  list(call: ResourceCall, accept: string | undefined): CallResult {
    const t = call.type;
    const rv = this.store.currentRv;
    let items = this.selected(call);
    const listMeta: Obj = { resourceVersion: String(rv) };
    const cont = call.query.get('continue');
    if (cont !== null && cont !== '') {
      const c = decodeContinue(cont);
      // TODO(#2): a continued list reads the current state, not a snapshot at the first page's version.
      items = items.filter((o) => keyOf(o) > c.k);
    }
    const limitRaw = call.query.get('limit');
    const limit = limitRaw === null || limitRaw === '' ? 0 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 0)
      throw badRequest(`limit: expected a non-negative integer, got "${limitRaw ?? ''}"`);
    if (limit > 0 && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      const last = items[items.length - 1];
      if (last !== undefined) listMeta.continue = encodeContinue(keyOf(last), rv);
      listMeta.remainingItemCount = remaining;
    }
    const shown = items.map((o) => present(t, o));
    if (wantsTable(accept)) {
      const include = parseIncludeObject(call.query.get('includeObject'));
      return { code: 200, body: toTable(t, shown, include, listMeta) };
    }
    return {
      code: 200,
      body: {
        kind: t.listKind,
        apiVersion: apiVersionOf(t.group, t.version),
        metadata: listMeta,
        items: shown,
      },
    };
  }

  /** Items deletecollection should remove (the caller deletes each through the normal path). */
  toDelete(call: ResourceCall): Obj[] {
    if (call.name !== '')
      throw new ApiError(405, 'MethodNotAllowed', 'deletecollection needs a collection URL');
    return this.selected(call);
  }
}
