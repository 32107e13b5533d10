import type { PrinterColumn, ResourceType } from './resource-types.js';
import { badRequest } from './status.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a Table row carries besides its cells (the `includeObject` query parameter). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Reads `includeObject`; the API server's default is Metadata. */
export function parseIncludeObject(v: string | null): IncludeObject {
  if (v === null || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw badRequest(`includeObject: expected None, Metadata or Object, got "${v}"`);
}

/**
 * Evaluates the simple JSONPath of printer columns: `.a.b`, `.a[0]`, `.a['x.y']`, optionally
 * in `{...}`. Returns undefined when a step is missing. Filters and wildcards are not supported.
 */
export function evalJsonPath(obj: unknown, path: string): unknown {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  const steps: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(p)) !== null) {
    consumed = re.lastIndex;
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push(m[3] ?? m[4] ?? '');
  }
  if (consumed !== p.length) return undefined;
  let cur: unknown = obj;
  for (const s of steps) {
    if (typeof s === 'number') cur = Array.isArray(cur) ? cur[s] : undefined;
    else cur = isObj(cur) ? cur[s] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Human-readable age the way kubectl prints it (`45s`, `3m12s`, `5h`, `2d3h`). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (y < 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

function cell(col: PrinterColumn, obj: Obj, nowMs: number): unknown {
  const v = evalJsonPath(obj, col.jsonPath);
  if (v === undefined || v === null) return null;
  if (col.type === 'date' && typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : humanDuration(nowMs - t);
  }
  if (Array.isArray(v) || isObj(v)) return JSON.stringify(v);
  return v;
}

const NAME_COLUMN = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** Columns for built-in kinds, like the API server's own table printers (a useful subset). */
const BUILTIN_COLUMNS: Record<string, PrinterColumn[]> = {
  Namespace: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }, AGE],
  Secret: [{ name: 'Type', type: 'string', jsonPath: '.type' }, AGE],
  Lease: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }, AGE],
  CustomResourceDefinition: [
    { name: 'Created At', type: 'string', jsonPath: '.metadata.creationTimestamp' },
  ],
};

/** The columns a resource prints: Name, then the CRD's printer columns or a built-in set. */
export function columnsFor(t: ResourceType): PrinterColumn[] {
  if (t.crdName !== undefined) return t.printerColumns.length > 0 ? t.printerColumns : [AGE];
  return BUILTIN_COLUMNS[t.kind] ?? [AGE];
}

function rowObject(obj: Obj, include: IncludeObject): Obj | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** Builds a meta.k8s.io/v1 Table of `items`, as `kubectl get` asks for. */
export function toTable(
  t: ResourceType,
  items: Obj[],
  include: IncludeObject,
  listMeta: Obj,
  nowMs: number = Date.now(),
): Obj {
  const cols = columnsFor(t);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: [
      NAME_COLUMN,
      ...cols.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    rows: items.map((o) => {
      const meta = isObj(o.metadata) ? o.metadata : {};
      const row: Obj = { cells: [meta.name ?? '', ...cols.map((c) => cell(c, o, nowMs))] };
      const ro = rowObject(o, include);
      if (ro !== undefined) row.object = ro;
      return row;
    }),
  };
}

/** Whether an Accept header asks for a meta.k8s.io/v1 Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const first = accept.split(',')[0] ?? '';
  const params = first.split(';').map((s) => s.trim());
  return (
    params.includes('as=Table') &&
    params.includes('g=meta.k8s.io') &&
    (params.includes('v=v1') || params.includes('v=v1beta1'))
  );
}
