import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { StructuralSchema } from './schema.js';
import type { PrinterColumn, ResourceType } from './resource-types.js';
import { ApiError } from './status.js';

type Obj = Record<string, unknown>;

/** A CRD file that cannot be read or parsed; names the file. */
export class CrdLoadError extends Error {
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(`cannot load CRD from ${file}: ${detail}`, options);
    this.name = 'CrdLoadError';
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function invalid(name: string, field: string, message: string): ApiError {
  return new ApiError(
    422,
    'Invalid',
    `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: ${field}: ${message}`,
    {
      name,
      group: 'apiextensions.k8s.io',
      kind: 'CustomResourceDefinition',
      causes: [{ reason: 'FieldValueInvalid', message, field }],
    },
  );
}

/**
 * Turns a CustomResourceDefinition into the resource types it serves, one per served version.
 * Throws a 422 ApiError naming the first field that makes it unusable.
 */
export function crdToTypes(crd: Obj): ResourceType[] {
  const meta = isObj(crd.metadata) ? crd.metadata : {};
  const name = str(meta.name) ?? '';
  const spec = isObj(crd.spec) ? crd.spec : {};
  const names = isObj(spec.names) ? spec.names : {};
  const group = str(spec.group);
  const plural = str(names.plural);
  const kind = str(names.kind);
  if (group === undefined) throw invalid(name, 'spec.group', 'Required value');
  if (plural === undefined) throw invalid(name, 'spec.names.plural', 'Required value');
  if (kind === undefined) throw invalid(name, 'spec.names.kind', 'Required value');
  if (name !== `${plural}.${group}`) {
    throw invalid(name, 'metadata.name', `must be spec.names.plural+"."+spec.group`);
  }
  const scope = spec.scope;
  if (scope !== 'Namespaced' && scope !== 'Cluster') {
    throw invalid(name, 'spec.scope', 'Unsupported value: must be "Cluster" or "Namespaced"');
  }
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObj) : [];
  if (versions.length === 0) throw invalid(name, 'spec.versions', 'Required value');
  const storage = versions.find((v) => v.storage === true);
  const storageVersion = str(storage?.name);
  if (storageVersion === undefined) {
    throw invalid(name, 'spec.versions', 'must have exactly one version marked as storage version');
  }
  const out: ResourceType[] = [];
  for (const v of versions) {
    const version = str(v.name);
    if (version === undefined) throw invalid(name, 'spec.versions[].name', 'Required value');
    if (v.served === false) continue;
    const schemaHolder = isObj(v.schema) ? v.schema : {};
    const openAPIV3Schema = isObj(schemaHolder.openAPIV3Schema)
      ? schemaHolder.openAPIV3Schema
      : undefined;
    const subresources = isObj(v.subresources) ? v.subresources : {};
    const columns = Array.isArray(v.additionalPrinterColumns)
      ? v.additionalPrinterColumns.filter(isObj).map(toColumn)
      : [];
    const t: ResourceType = {
      group,
      version,
      kind,
      listKind: str(names.listKind) ?? `${kind}List`,
      plural,
      singular: str(names.singular) ?? kind.toLowerCase(),
      namespaced: scope === 'Namespaced',
      shortNames: strings(names.shortNames),
      categories: strings(names.categories),
      statusSubresource: isObj(subresources.status),
      printerColumns: columns,
      crdName: name,
      storageKey: `${group}/${plural}`,
      storageVersion,
    };
    if (openAPIV3Schema !== undefined) {
      t.openAPIV3Schema = openAPIV3Schema;
      t.schema = new StructuralSchema(openAPIV3Schema);
    }
    out.push(t);
  }
  return out;
}

function toColumn(c: Obj): PrinterColumn {
  const col: PrinterColumn = {
    name: str(c.name) ?? '',
    type: str(c.type) ?? 'string',
    jsonPath: str(c.jsonPath) ?? '',
  };
  const description = str(c.description);
  if (description !== undefined) col.description = description;
  const format = str(c.format);
  if (format !== undefined) col.format = format;
  if (typeof c.priority === 'number') col.priority = c.priority;
  return col;
}

/** Reads every CustomResourceDefinition document in the `*.yaml`/`*.yml` files of a folder. */
export function readCrdDir(dir: string): Obj[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort();
  } catch (err) {
    throw new CrdLoadError(dir, 'folder not readable', { cause: err });
  }
  const crds: Obj[] = [];
  for (const f of files) {
    const path = join(dir, f);
    const docs = parseAllDocuments(readFileSync(path, 'utf8'));
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        throw new CrdLoadError(path, doc.errors[0]?.message ?? 'YAML error');
      }
      const obj: unknown = doc.toJS();
      if (!isObj(obj)) continue;
      if (obj.kind !== 'CustomResourceDefinition') continue;
      crds.push(obj);
    }
  }
  return crds;
}
