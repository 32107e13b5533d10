import type { StructuralSchema } from './schema.js';

/** One `additionalPrinterColumns` entry of a CRD version. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/** Everything the server knows about one served group/version/resource. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Whether `/status` exists; writes to the main resource then leave status alone. */
  statusSubresource: boolean;
  printerColumns: PrinterColumn[];
  /** Set for custom resources; built-ins are stored as sent. */
  schema?: StructuralSchema;
  openAPIV3Schema?: Record<string, unknown>;
  /** The CRD this type comes from (`tasks.taskrouter.io`), if any. */
  crdName?: string;
  /** Identity in the store: every served version of one resource shares it. */
  storageKey: string;
  /** The version objects are kept in; reads in another version only relabel apiVersion. */
  storageVersion: string;
}

const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/** The verbs every resource here supports. */
export function resourceVerbs(): string[] {
  return [...ALL_VERBS];
}

/** Formats `group/version`, or just `version` for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[] = [],
  statusSubresource = false,
): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    categories: [],
    statusSubresource,
    printerColumns: [],
    storageKey: `${group}/${plural}`,
    storageVersion: version,
  };
}

/** The built-in resources the local control plane serves. */
export function builtinTypes(): ResourceType[] {
  return [
    builtin('', 'v1', 'Namespace', 'namespaces', false, ['ns'], true),
    builtin('', 'v1', 'ConfigMap', 'configmaps', true, ['cm']),
    builtin('', 'v1', 'Secret', 'secrets', true),
    builtin('', 'v1', 'Event', 'events', true, ['ev']),
    builtin('events.k8s.io', 'v1', 'Event', 'events', true, ['ev']),
    builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
    builtin(
      'apiextensions.k8s.io',
      'v1',
      'CustomResourceDefinition',
      'customresourcedefinitions',
      false,
      ['crd', 'crds'],
      true,
    ),
  ];
}

/** The served resources, looked up by group, version and plural, or by kind. */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();

  constructor(types: ResourceType[] = builtinTypes()) {
    for (const t of types) this.add(t);
  }

  add(t: ResourceType): void {
    this.byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
  }

  /** Removes every version served for a CRD. */
  removeCrd(crdName: string): void {
    for (const [key, t] of this.byPath) if (t.crdName === crdName) this.byPath.delete(key);
  }

  get(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  /** Groups with their versions, core group first, in a stable order. */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const t of this.byPath.values()) {
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return groups;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }

  /** Every version of one stored resource, for relabelling on reads. */
  byStorageKey(storageKey: string): ResourceType[] {
    return this.all().filter((t) => t.storageKey === storageKey);
  }
}
