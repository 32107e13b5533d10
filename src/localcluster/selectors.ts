import { badRequest } from './status.js';

type Labels = Record<string, string>;

/** One parsed label requirement. */
interface Requirement {
  key: string;
  op: 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists';
  values: string[];
}

/** A compiled label selector; the empty selector matches everything. */
export type LabelMatcher = (labels: Labels | undefined) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

function parseRequirement(part: string): Requirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (setMatch !== null) {
    const [, key = '', op = 'in', list = ''] = setMatch;
    const values = list
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return checkKey({ key, op: op === 'in' ? 'in' : 'notin', values }, part);
  }
  const cmp = /^([^!=\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(part);
  if (cmp !== null) {
    const [, key = '', op = '=', value = ''] = cmp;
    return checkKey({ key, op: op === '!=' ? 'neq' : 'eq', values: [value] }, part);
  }
  if (part.startsWith('!'))
    return checkKey({ key: part.slice(1).trim(), op: 'notexists', values: [] }, part);
  return checkKey({ key: part, op: 'exists', values: [] }, part);
}

function checkKey(r: Requirement, part: string): Requirement {
  if (!KEY.test(r.key))
    throw badRequest(`unable to parse requirement: invalid label key "${r.key}" in "${part}"`);
  return r;
}

function matches(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'eq':
      return has && v === r.values[0];
    case 'neq':
      return !has || v !== r.values[0];
    case 'in':
      return has && v !== undefined && r.values.includes(v);
    case 'notin':
      return !has || v === undefined || !r.values.includes(v);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

/** Parses a `labelSelector` query value (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`). */
export function parseLabelSelector(selector: string | null | undefined): LabelMatcher {
  if (selector === null || selector === undefined || selector.trim() === '') return () => true;
  const reqs = splitTop(selector).map(parseRequirement);
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

/** A compiled field selector over an object's dotted paths. */
export type FieldMatcher = (obj: Record<string, unknown>) => boolean;

function readPath(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return '';
}

/**
 * Parses a `fieldSelector` (`a=b`, `a==b`, `a!=b`, comma-joined). `allowed` says which paths this
 * resource supports; others are refused with 400 as the API server does.
 */
export function parseFieldSelector(
  selector: string | null | undefined,
  allowed: (path: string) => boolean,
): FieldMatcher {
  if (selector === null || selector === undefined || selector.trim() === '') return () => true;
  const reqs = splitTop(selector).map((part) => {
    const m = /^([^!=]+)(==|!=|=)(.*)$/.exec(part);
    if (m === null) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [, path = '', op = '=', value = ''] = m;
    const field = path.trim();
    if (!allowed(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, neq: op === '!=', value: value.trim() };
  });
  return (obj) => reqs.every((r) => (readPath(obj, r.field) === r.value) !== r.neq);
}
