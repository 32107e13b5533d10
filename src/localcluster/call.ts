import type { ResourceType } from './resource-types.js';
import { badRequest } from './status.js';

/** One request against a resource, after routing. */
export interface ResourceCall {
  type: ResourceType;
  /** The namespace from the URL; '' for cluster-scoped resources or all-namespace lists. */
  namespace: string;
  /** The object name from the URL; '' for collection requests. */
  name: string;
  /** '' or 'status'. */
  subresource: string;
  query: URLSearchParams;
  body: Buffer;
  contentType: string;
  userAgent: string;
}

/** What a verb answers: HTTP code, body and any `Warning` headers. */
export interface CallResult {
  code: number;
  body: Record<string, unknown>;
  warnings?: string[];
}

/** How unknown fields are treated (`fieldValidation`); the API server's default is Warn. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: expected Strict, Warn or Ignore, got "${v}"`);
}

/** Whether `dryRun=All` was asked for; other values are refused as the API server does. */
export function isDryRun(q: URLSearchParams): boolean {
  const vs = q.getAll('dryRun');
  for (const v of vs)
    if (v !== 'All') throw badRequest(`dryRun: unsupported value "${v}", only "All" is supported`);
  return vs.length > 0;
}

/** The field manager: the `fieldManager` parameter, else the user agent's program name. */
export function fieldManagerOf(q: URLSearchParams, userAgent: string): string {
  const m = q.get('fieldManager');
  if (m !== null && m !== '') return m;
  const ua = userAgent.split('/')[0] ?? '';
  return ua === '' ? 'unknown' : ua;
}
