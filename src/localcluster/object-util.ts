import { randomInt } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { ResourceType } from './resource-types.js';
import { apiVersionOf } from './resource-types.js';
import type { FieldError } from './schema.js';
import { formatFieldError } from './schema.js';
import { ApiError, badRequest } from './status.js';

/** A Kubernetes object as JSON. */
export type Obj = Record<string, unknown>;

/** A value for a message: strings as they are, anything else as JSON. */
export function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of JSON data (what request bodies parse to), several times faster than
 * `structuredClone` for the small objects written here. Other values are shared, not copied.
 */
export function cloneJson<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x: unknown) => cloneJson(x)) as T;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    // A parsed `__proto__` key is an own property; plain assignment would set the prototype.
    if (k === '__proto__')
      Object.defineProperty(out, k, {
        value: cloneJson(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = cloneJson(x);
  }
  return out as T;
}

/** The object's metadata, created when missing (the object must be a fresh copy). */
export function metaOf(obj: Obj): Obj {
  if (!isObj(obj.metadata)) obj.metadata = {};
  return obj.metadata as Obj;
}

// Every write stamps a timestamp or two; at second precision most land in the same second, so
// the last one formatted is kept.
let lastStampSecond = Number.NaN;
let lastStamp = '';

/** RFC 3339 time at second precision, as metadata timestamps are written. */
export function nowTimestamp(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== lastStampSecond) {
    lastStamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastStampSecond = second;
  }
  return lastStamp;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters for `generateName`, from the API server's alphabet. */
export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_CHARS[randomInt(NAME_CHARS.length)] ?? 'x';
  return s;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why a name is not allowed for this resource, or undefined when it is. */
export function nameProblem(t: ResourceType, name: string): string | undefined {
  if (t.kind === 'Namespace') {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
    }
    return undefined;
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

/** `Task.taskrouter.io` or `ConfigMap`, as the API server names a kind in messages. */
export function qualifiedKind(t: ResourceType): string {
  return t.group === '' ? t.kind : `${t.kind}.${t.group}`;
}

/** A 422 Invalid Status built from field errors. */
export function invalidError(t: ResourceType, name: string, errors: FieldError[]): ApiError {
  const texts = errors.map(formatFieldError);
  const summary = texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind(t)} "${name}" is invalid: ${summary}`, {
    name,
    group: t.group,
    kind: t.kind,
    causes: errors.map((e, i) => {
      const text = texts[i] ?? e.message;
      const prefix = `${e.field}: `;
      return {
        reason: e.type,
        message: text.startsWith(prefix) ? text.slice(prefix.length) : text,
        field: e.field,
      };
    }),
  });
}

/** Parses a request body as JSON (or YAML, which JSON is a subset of) into an object. */
export function parseBody(body: Buffer, contentType: string, t: ResourceType | undefined): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  const yaml = contentType.includes('yaml');
  try {
    return yaml ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (err) {
    const what = t === undefined ? 'the object' : `a ${t.kind}`;
    throw new ApiError(
      400,
      'BadRequest',
      `the body of the request cannot be decoded as ${what}: ${err instanceof Error ? err.message : String(err)}`,
      undefined,
      { cause: err },
    );
  }
}

/** Checks that a body is an object of this resource's kind and version. */
export function checkKindAndVersion(t: ResourceType, body: unknown): Obj {
  if (!isObj(body)) throw badRequest(`the body of the request is not a ${t.kind} object`);
  const want = apiVersionOf(t.group, t.version);
  if (body.apiVersion !== undefined && body.apiVersion !== want) {
    throw badRequest(
      `the API version in the data (${show(body.apiVersion)}) does not match the expected API version (${want})`,
    );
  }
  if (body.kind !== undefined && body.kind !== t.kind) {
    throw badRequest(
      `the kind in the data (${show(body.kind)}) does not match the expected kind (${t.kind})`,
    );
  }
  return body;
}

/** The object as served for `t`'s version (versions of one CRD only differ in apiVersion). */
export function present(t: ResourceType, obj: Obj): Obj {
  const apiVersion = apiVersionOf(t.group, t.version);
  if (obj.apiVersion === apiVersion && obj.kind === t.kind) return obj;
  return { ...obj, apiVersion, kind: t.kind };
}

// The comparison keys of an object, kept while it lives: the object written now is the `old` of
// the next write, so each stored object is serialized for comparison once, not twice. Only
// objects that are no longer changed may be asked: stored ones, or a write's result once final.
interface ContentKeys {
  spec?: string;
  content?: string;
}
const keysOf = new WeakMap<Obj, ContentKeys>();

function keys(obj: Obj): ContentKeys {
  let k = keysOf.get(obj);
  if (k === undefined) {
    k = {};
    keysOf.set(obj, k);
  }
  return k;
}

/** A shallow copy without `names`, in the same key order (cheaper than copying and deleting). */
function omit(obj: Obj, names: readonly string[]): Obj {
  const out: Obj = {};
  for (const k of Object.keys(obj)) if (!names.includes(k)) out[k] = obj[k];
  return out;
}

const NOT_SPEC = ['metadata', 'status', 'apiVersion', 'kind'];
const NOT_CONTENT = ['resourceVersion', 'managedFields'];

/** Everything but metadata and status: what a generation bump reacts to. */
export function specPart(obj: Obj): string {
  const k = keys(obj);
  if (k.spec === undefined) {
    k.spec = JSON.stringify(omit(obj, NOT_SPEC));
  }
  return k.spec;
}

/** Compares two objects ignoring resourceVersion and managedFields timestamps. */
export function sameContent(a: Obj, b: Obj): boolean {
  const strip = (o: Obj): string => {
    const k = keys(o);
    if (k.content === undefined) {
      const meta = isObj(o.metadata) ? omit(o.metadata, NOT_CONTENT) : {};
      k.content = JSON.stringify({ ...o, metadata: meta });
    }
    return k.content;
  };
  return strip(a) === strip(b);
}
