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

/** The object's metadata, created when missing (the object must be a fresh copy). */
export function metaOf(obj: Obj): Obj {
  if (!isObj(obj.metadata)) obj.metadata = {};
  return obj.metadata as Obj;
}

/** RFC 3339 time at second precision, as metadata timestamps are written. */
export function nowTimestamp(nowMs: number = Date.now()): string {
  return new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
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

/** Everything but metadata and status: what a generation bump reacts to. */
export function specPart(obj: Obj): string {
  const rest: Obj = { ...obj };
  delete rest.metadata;
  delete rest.status;
  delete rest.apiVersion;
  delete rest.kind;
  return JSON.stringify(rest);
}

/** Compares two objects ignoring resourceVersion and managedFields timestamps. */
export function sameContent(a: Obj, b: Obj): boolean {
  const strip = (o: Obj): string => {
    const m = { ...(o.metadata as Obj) };
    delete m.resourceVersion;
    delete m.managedFields;
    return JSON.stringify({ ...o, metadata: m });
  };
  return strip(a) === strip(b);
}
