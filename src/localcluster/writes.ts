import { randomUUID } from 'node:crypto';
import type { CallResult, ResourceCall } from './call.js';
import { fieldManagerOf, fieldValidationOf, isDryRun } from './call.js';
import { prepareKind } from './kinds.js';
import { fieldSet, recordManager } from './managed-fields.js';
import type { Obj } from './object-util.js';
import {
  checkKindAndVersion,
  cloneJson,
  invalidError,
  isObj,
  metaOf,
  nameProblem,
  nowTimestamp,
  parseBody,
  present,
  randomSuffix,
  sameContent,
  show,
  specPart,
} from './object-util.js';
import type { ResourceType } from './resource-types.js';
import { apiVersionOf } from './resource-types.js';
import type { Store } from './store.js';
import { ApiError, alreadyExists, badRequest, conflict, notFound } from './status.js';

/** Called after an object is stored or removed, for kinds whose changes affect the server. */
export type WriteListener = (t: ResourceType, obj: Obj, deleted: boolean) => void;

/** How a write came in, for managedFields and defaults. */
export interface WriteMode {
  manager: string;
  operation: 'Update' | 'Apply';
  /** The fields the writer named, for its managedFields entry. */
  fieldsOf: unknown;
}

const IMMUTABLE_META = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'name',
  'namespace',
];

function hasGeneration(t: ResourceType): boolean {
  return t.crdName !== undefined || t.kind === 'CustomResourceDefinition';
}

/** Whether a write goes to the status subresource, and so changes status alone. */
export function isStatusWrite(call: ResourceCall): boolean {
  return call.type.statusSubresource && call.subresource === 'status';
}

/**
 * A private copy of `old` with `status` in place of its status (same key order as spreading
 * `old` and setting status). Status is taken as given, so the old one is not copied for nothing.
 */
function withStatus(old: Obj, status: unknown): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(old)) {
    if (k !== 'status') out[k] = cloneJson(v);
    else if (status !== undefined) out.status = status;
  }
  if (status !== undefined && !Object.hasOwn(old, 'status')) out.status = status;
  return out;
}

/** Creation, update and the shared write pipeline (status rules, schema, generation, store). */
export class Writes {
  constructor(
    private readonly store: Store,
    private readonly onWrite: WriteListener,
  ) {}

  /** POST: a new object; 409 AlreadyExists when the name is taken. */
  create(call: ResourceCall, bodyObj?: Obj, mode?: WriteMode): CallResult {
    const t = call.type;
    const obj = cloneJson(
      bodyObj ?? checkKindAndVersion(t, parseBody(call.body, call.contentType, t)),
    );
    const meta = metaOf(obj);
    if (typeof meta.name !== 'string' || meta.name === '') {
      if (typeof meta.generateName === 'string' && meta.generateName !== '') {
        meta.name = `${meta.generateName}${randomSuffix()}`;
      } else {
        throw invalidError(t, '', [
          {
            type: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ]);
      }
    }
    const name = show(meta.name);
    if (call.name !== '' && call.name !== name) {
      throw badRequest(
        `the name of the object (${name}) does not match the name on the URL (${call.name})`,
      );
    }
    this.checkNamespace(t, call, meta);
    const problem = nameProblem(t, name);
    if (problem !== undefined) {
      throw invalidError(t, name, [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.name',
          message: `Invalid value: "${name}": ${problem}`,
          value: name,
        },
      ]);
    }
    if (this.store.get(t.storageKey, call.namespace, name) !== undefined) {
      throw alreadyExists(t.group, t.plural, name);
    }
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    if (hasGeneration(t)) meta.generation = 1;
    else delete meta.generation;
    // With a status subresource, status is written only through /status.
    if (t.statusSubresource) delete obj.status;
    const m = mode ?? {
      manager: fieldManagerOf(call.query, call.userAgent),
      operation: 'Update',
      fieldsOf: obj,
    };
    return this.commit(call, obj, undefined, m, 201);
  }

  private checkNamespace(t: ResourceType, call: ResourceCall, meta: Obj): void {
    if (!t.namespaced) {
      delete meta.namespace;
      return;
    }
    if (meta.namespace !== undefined && meta.namespace !== call.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    meta.namespace = call.namespace;
    if (this.store.get('/namespaces', '', call.namespace) === undefined) {
      throw notFound('', 'namespaces', call.namespace);
    }
  }

  /** PUT: replaces an object; 409 Conflict when the body's resourceVersion is stale. */
  update(call: ResourceCall): CallResult {
    const t = call.type;
    const body = checkKindAndVersion(t, parseBody(call.body, call.contentType, t));
    const meta = isObj(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== call.name) {
      throw badRequest(
        `the name of the object (${show(meta.name)}) does not match the name on the URL (${call.name})`,
      );
    }
    if (t.namespaced && meta.namespace !== undefined && meta.namespace !== call.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const old = this.store.get(t.storageKey, call.namespace, call.name);
    if (old === undefined) throw notFound(t.group, t.plural, call.name);
    const next = cloneJson(body);
    const manager = fieldManagerOf(call.query, call.userAgent);
    return this.replace(call, old, next, { manager, operation: 'Update', fieldsOf: body });
  }

  /**
   * Writes `next` over `old`: resourceVersion precondition, status subresource rules, then the
   * shared commit. `next` must be a private copy; for a `/status` write (see
   * {@link isStatusWrite}) only its `status` needs to be, as nothing else of it is kept.
   */
  replace(call: ResourceCall, old: Obj, next: Obj, mode: WriteMode): CallResult {
    const t = call.type;
    const nextMeta = metaOf(next);
    const oldMeta = old.metadata as Obj;
    const rv = nextMeta.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== oldMeta.resourceVersion) {
      throw conflict(
        t.group,
        t.plural,
        call.name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    let out = next;
    if (isStatusWrite(call)) {
      // /status writes change status and nothing else.
      out = withStatus(old, next.status);
    } else if (t.statusSubresource) {
      if (old.status === undefined) delete out.status;
      else out.status = cloneJson(old.status);
    }
    const outMeta = metaOf(out);
    for (const k of IMMUTABLE_META) {
      if (oldMeta[k] === undefined) Reflect.deleteProperty(outMeta, k);
      else outMeta[k] = oldMeta[k];
    }
    outMeta.managedFields = oldMeta.managedFields;
    if (outMeta.managedFields === undefined) delete outMeta.managedFields;
    return this.commit(call, out, old, mode, 200);
  }

  /** The shared tail of every write: kind rules, schema, generation, managedFields, store. */
  private commit(
    call: ResourceCall,
    obj: Obj,
    old: Obj | undefined,
    mode: WriteMode,
    code: number,
  ): CallResult {
    const t = call.type;
    obj.apiVersion = apiVersionOf(t.group, t.storageVersion);
    obj.kind = t.kind;
    const meta = metaOf(obj);
    const name = show(meta.name);
    const warnings = this.applySchema(call, obj, old, name);
    prepareKind(t, obj);
    if (old !== undefined && hasGeneration(t)) {
      const oldGen = Number((old.metadata as Obj).generation ?? 1);
      meta.generation = specPart(obj) === specPart(old) ? oldGen : oldGen + 1;
    }
    recordManager(
      obj,
      {
        manager: mode.manager,
        operation: mode.operation,
        apiVersion: apiVersionOf(t.group, t.version),
        fieldsV1: fieldSet(mode.fieldsOf),
        ...(call.subresource === '' ? {} : { subresource: call.subresource }),
      },
      nowTimestamp(),
    );
    if (old !== undefined && sameContent(obj, old)) {
      return { code: 200, body: present(t, old), warnings };
    }
    const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : [];
    const dryRun = isDryRun(call.query);
    if (old !== undefined && meta.deletionTimestamp !== undefined && finalizers.length === 0) {
      if (dryRun) return { code: 200, body: present(t, obj), warnings };
      const gone = this.store.remove(t.storageKey, obj);
      this.onWrite(t, gone, true);
      return { code: 200, body: present(t, gone), warnings };
    }
    if (dryRun) return { code, body: present(t, obj), warnings };
    const stored = this.store.put(t.storageKey, obj);
    this.onWrite(t, stored, false);
    return { code, body: present(t, stored), warnings };
  }

  /** Defaults, prunes and validates custom resources; returns `Warning` texts. */
  private applySchema(call: ResourceCall, obj: Obj, old: Obj | undefined, name: string): string[] {
    const schema = call.type.schema;
    if (schema === undefined) return [];
    const mode = fieldValidationOf(call.query);
    schema.applyDefaults(obj);
    const pruned = schema.prune(obj);
    const warnings: string[] = [];
    if (pruned.length > 0 && mode === 'Strict') {
      const t = call.type;
      const list = pruned.map((p) => `unknown field "${p}"`).join(', ');
      throw new ApiError(
        400,
        'BadRequest',
        `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${list}`,
      );
    }
    if (mode === 'Warn') for (const p of pruned) warnings.push(`unknown field "${p}"`);
    const errors = schema.validate(obj, old);
    if (errors.length > 0) throw invalidError(call.type, name, errors);
    return warnings;
  }

  /** Deletes now, or marks for deletion while finalizers remain. */
  remove(call: ResourceCall, options: Obj): CallResult {
    const t = call.type;
    const old = this.store.get(t.storageKey, call.namespace, call.name);
    if (old === undefined) throw notFound(t.group, t.plural, call.name);
    const oldMeta = old.metadata as Obj;
    const pre = isObj(options.preconditions) ? options.preconditions : {};
    if (pre.uid !== undefined && pre.uid !== oldMeta.uid) {
      throw conflict(
        t.group,
        t.plural,
        call.name,
        `Precondition failed: UID in precondition: ${show(pre.uid)}, UID in object meta: ${String(oldMeta.uid)}`,
      );
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== oldMeta.resourceVersion) {
      throw conflict(
        t.group,
        t.plural,
        call.name,
        `Precondition failed: ResourceVersion in precondition: ${show(pre.resourceVersion)}, ResourceVersion in meta: ${String(oldMeta.resourceVersion)}`,
      );
    }
    const dryRun =
      isDryRun(call.query) || (Array.isArray(options.dryRun) && options.dryRun.includes('All'));
    const finalizers = Array.isArray(oldMeta.finalizers) ? oldMeta.finalizers : [];
    if (finalizers.length > 0) {
      if (oldMeta.deletionTimestamp !== undefined) return { code: 200, body: present(t, old) };
      const next = structuredClone(old);
      const meta = metaOf(next);
      meta.deletionTimestamp = nowTimestamp();
      meta.deletionGracePeriodSeconds = 0;
      if (hasGeneration(t)) meta.generation = Number(oldMeta.generation ?? 1) + 1;
      prepareKind(t, next);
      if (dryRun) return { code: 200, body: present(t, next) };
      const stored = this.store.put(t.storageKey, next);
      this.onWrite(t, stored, false);
      return { code: 200, body: present(t, stored) };
    }
    if (dryRun) return { code: 200, body: present(t, old) };
    const gone = this.store.remove(t.storageKey, structuredClone(old));
    this.onWrite(t, gone, true);
    return { code: 200, body: present(t, gone) };
  }

  /** Removes an object whatever its finalizers (namespace and CRD clean-up). */
  forceRemove(t: ResourceType, obj: Obj): void {
    const gone = this.store.remove(t.storageKey, structuredClone(obj));
    this.onWrite(t, gone, true);
  }
}
