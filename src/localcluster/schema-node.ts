import { SchemaCompileError } from './schema-errors.js';
import { compileRules, type CompiledRule } from './cel-rules.js';

/** The JSON types a structural schema names. */
export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

const SCHEMA_TYPES = new Set<string>(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** One node of a compiled structural schema; every keyword is read and checked once. */
export interface SchemaNode {
  type?: SchemaType;
  description?: string;
  properties?: Map<string, SchemaNode>;
  /** A schema for the values of a map, or whether unknown keys are allowed. */
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required: readonly string[];
  enum?: readonly unknown[];
  hasDefault: boolean;
  default?: unknown;
  nullable: boolean;
  intOrString: boolean;
  preserveUnknownFields: boolean;
  embeddedResource: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum: boolean;
  exclusiveMaximum: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: { source: string; regex: RegExp };
  format?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems: boolean;
  minProperties?: number;
  maxProperties?: number;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys: readonly string[];
  allOf: readonly SchemaNode[];
  anyOf: readonly SchemaNode[];
  rules: readonly CompiledRule[];
  /** True when this node or any node below it carries CEL rules. */
  hasRulesBelow: boolean;
}

type Raw = Record<string, unknown>;

function isRaw(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function num(raw: Raw, key: string, at: string): number | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new SchemaCompileError(`${at}.${key}`, `expected a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(raw: Raw, key: string, at: string): boolean {
  const v = raw[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') {
    throw new SchemaCompileError(`${at}.${key}`, `expected a boolean, got ${JSON.stringify(v)}`);
  }
  return v;
}

function str(raw: Raw, key: string, at: string): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    throw new SchemaCompileError(`${at}.${key}`, `expected a string, got ${JSON.stringify(v)}`);
  }
  return v;
}

function strList(raw: Raw, key: string, at: string): string[] {
  const v = raw[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new SchemaCompileError(`${at}.${key}`, 'expected a list of strings');
  }
  return v;
}

function compilePattern(source: string, at: string): { source: string; regex: RegExp } {
  // Kubernetes patterns are RE2; the common subset reads the same as a JavaScript unicode regex.
  try {
    return { source, regex: new RegExp(source, 'u') };
  } catch {
    try {
      return { source, regex: new RegExp(source) };
    } catch (cause) {
      throw new SchemaCompileError(`${at}.pattern`, `invalid pattern ${source}`, { cause });
    }
  }
}

function compileType(raw: Raw, at: string): SchemaType | undefined {
  const t = str(raw, 'type', at);
  if (t === undefined) return undefined;
  if (!SCHEMA_TYPES.has(t)) {
    throw new SchemaCompileError(`${at}.type`, `unsupported type ${JSON.stringify(t)}`);
  }
  return t as SchemaType;
}

function compileListType(raw: Raw, at: string): SchemaNode['listType'] {
  const lt = str(raw, 'x-kubernetes-list-type', at);
  if (lt === undefined) return undefined;
  if (lt !== 'atomic' && lt !== 'set' && lt !== 'map') {
    throw new SchemaCompileError(`${at}.x-kubernetes-list-type`, `unsupported ${lt}`);
  }
  return lt;
}

function compileChildren(
  raw: Raw,
  at: string,
): Pick<SchemaNode, 'properties' | 'items' | 'additionalProperties'> {
  const out: Pick<SchemaNode, 'properties' | 'items' | 'additionalProperties'> = {};
  if (raw.properties !== undefined) {
    if (!isRaw(raw.properties)) {
      throw new SchemaCompileError(`${at}.properties`, 'expected an object');
    }
    out.properties = new Map(
      Object.entries(raw.properties).map(([k, v]) => [k, compileNode(v, `${at}.properties[${k}]`)]),
    );
  }
  if (raw.items !== undefined) {
    out.items = compileNode(raw.items, `${at}.items`);
  }
  const ap = raw.additionalProperties;
  if (typeof ap === 'boolean') {
    out.additionalProperties = ap;
  } else if (ap !== undefined) {
    out.additionalProperties = compileNode(ap, `${at}.additionalProperties`);
  }
  return out;
}

// TODO(#2): oneOf and not are ignored; our CRDs do not use them and structural schemas rarely do.
function compileBranches(raw: Raw, key: 'allOf' | 'anyOf', at: string): SchemaNode[] {
  const v = raw[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new SchemaCompileError(`${at}.${key}`, 'expected a list');
  return v.map((b, i) => compileNode(b, `${at}.${key}[${i}]`));
}

/**
 * Compiles one schema node and everything below it. `at` names the node in errors.
 * @throws SchemaCompileError naming the keyword that is malformed
 */
export function compileNode(rawNode: unknown, at: string): SchemaNode {
  if (!isRaw(rawNode)) {
    throw new SchemaCompileError(at, 'expected a schema object');
  }
  const raw = rawNode;
  const pattern = str(raw, 'pattern', at);
  const children = compileChildren(raw, at);
  const type = compileType(raw, at);
  const intOrString = bool(raw, 'x-kubernetes-int-or-string', at);
  const node: SchemaNode = {
    ...children,
    required: strList(raw, 'required', at),
    hasDefault: raw.default !== undefined,
    default: raw.default,
    nullable: bool(raw, 'nullable', at),
    intOrString,
    preserveUnknownFields: bool(raw, 'x-kubernetes-preserve-unknown-fields', at),
    embeddedResource: bool(raw, 'x-kubernetes-embedded-resource', at),
    exclusiveMinimum: bool(raw, 'exclusiveMinimum', at),
    exclusiveMaximum: bool(raw, 'exclusiveMaximum', at),
    uniqueItems: bool(raw, 'uniqueItems', at),
    listMapKeys: strList(raw, 'x-kubernetes-list-map-keys', at),
    // An int-or-string field spells its two types as anyOf branches; the flag already says it.
    anyOf: intOrString ? [] : compileBranches(raw, 'anyOf', at),
    allOf: compileBranches(raw, 'allOf', at),
    rules: [],
    hasRulesBelow: false,
  };
  if (type !== undefined) node.type = type;
  const description = str(raw, 'description', at);
  if (description !== undefined) node.description = description;
  if (raw.enum !== undefined) {
    if (!Array.isArray(raw.enum)) throw new SchemaCompileError(`${at}.enum`, 'expected a list');
    node.enum = raw.enum;
  }
  for (const key of [
    'minimum',
    'maximum',
    'multipleOf',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'minProperties',
    'maxProperties',
  ] as const) {
    const v = num(raw, key, at);
    if (v !== undefined) node[key] = v;
  }
  if (pattern !== undefined) node.pattern = compilePattern(pattern, at);
  const format = str(raw, 'format', at);
  if (format !== undefined) node.format = format;
  const listType = compileListType(raw, at);
  if (listType !== undefined) node.listType = listType;
  node.rules = compileRules(raw['x-kubernetes-validations'], `${at}.x-kubernetes-validations`);
  node.hasRulesBelow = node.rules.length > 0 || childNodes(node).some((c) => c.hasRulesBelow);
  return node;
}

/** The nodes directly below `node`: properties, items, additionalProperties and branches. */
export function childNodes(node: SchemaNode): SchemaNode[] {
  const out: SchemaNode[] = [...(node.properties?.values() ?? []), ...node.allOf, ...node.anyOf];
  if (node.items) out.push(node.items);
  if (typeof node.additionalProperties === 'object') out.push(node.additionalProperties);
  return out;
}

/** The schema for the value under `key` of an object described by `node`, if there is one. */
export function propertyNode(node: SchemaNode, key: string): SchemaNode | undefined {
  const p = node.properties?.get(key);
  if (p) return p;
  return typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
}

/** Joins a field path the way the API server prints it: `spec.args[0]`, `spec.env[1].name`. */
export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** @see childPath */
export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return isRaw(v);
}
