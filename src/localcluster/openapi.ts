import { createHash } from 'node:crypto';
import type { ResourceRegistry, ResourceType } from './resource-types.js';

type Obj = Record<string, unknown>;

const META_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** The OpenAPI path key of a group-version: `api/v1` or `apis/<group>/<version>`. */
export function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** The schema name the API server uses: reversed group, version, kind. */
function schemaName(t: ResourceType, kind = t.kind): string {
  const g = t.group === '' ? 'io.k8s.api.core' : t.group.split('.').reverse().join('.');
  return `${g}.${t.version}.${kind}`;
}

const objectMeta: Obj = {
  type: 'object',
  description: 'Standard object metadata.',
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer', format: 'int64' },
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object' } },
    managedFields: { type: 'array', items: { type: 'object' } },
  },
};

const listMeta: Obj = {
  type: 'object',
  properties: {
    resourceVersion: { type: 'string' },
    continue: { type: 'string' },
    remainingItemCount: { type: 'integer', format: 'int64' },
  },
};

function gvk(t: ResourceType, kind = t.kind): Obj[] {
  return [{ group: t.group, version: t.version, kind }];
}

function kindSchema(t: ResourceType): Obj {
  const base = t.openAPIV3Schema ?? {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  const props = { ...((base.properties as Obj | undefined) ?? {}) };
  props.apiVersion = { type: 'string', description: 'APIVersion of this representation.' };
  props.kind = { type: 'string', description: 'Kind of this object.' };
  props.metadata = { allOf: [{ $ref: META_REF }], default: {} };
  return { ...base, type: 'object', properties: props, 'x-kubernetes-group-version-kind': gvk(t) };
}

function listSchema(t: ResourceType): Obj {
  return {
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { allOf: [{ $ref: LIST_META_REF }], default: {} },
      items: { type: 'array', items: { $ref: `#/components/schemas/${schemaName(t)}` } },
    },
    'x-kubernetes-group-version-kind': gvk(t, t.listKind),
  };
}

const QUERY = (name: string, type = 'string'): Obj => ({
  name,
  in: 'query',
  schema: { type, uniqueItems: true },
});

function op(t: ResourceType, action: string, body: string[] | undefined, list = false): Obj {
  const ref = { $ref: `#/components/schemas/${schemaName(t, list ? t.listKind : t.kind)}` };
  const o: Obj = {
    operationId: `${action}${t.kind}`,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
  };
  if (body !== undefined) {
    o.requestBody = { content: Object.fromEntries(body.map((ct) => [ct, { schema: ref }])) };
    o.parameters = [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')];
    if (action === 'patch') (o.parameters as Obj[]).push(QUERY('force', 'boolean'));
  }
  return o;
}

function patchTypes(t: ResourceType): string[] {
  const types = ['application/json-patch+json', 'application/merge-patch+json'];
  // kubectl uses a strategic merge patch only where the schema offers it: built-ins.
  if (t.crdName === undefined) types.push('application/strategic-merge-patch+json');
  types.push('application/apply-patch+yaml');
  return types;
}

function paths(t: ResourceType): Obj {
  const prefix = `/${gvPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
  const nsParam = t.namespaced
    ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }]
    : [];
  const nameParam = [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }];
  const out: Obj = {
    [prefix]: {
      get: op(t, 'list', undefined, true),
      post: op(t, 'post', ['application/json', 'application/yaml']),
      delete: op(t, 'deletecollection', undefined),
      parameters: nsParam,
    },
    [`${prefix}/{name}`]: {
      get: op(t, 'get', undefined),
      put: op(t, 'put', ['application/json', 'application/yaml']),
      patch: op(t, 'patch', patchTypes(t)),
      delete: op(t, 'delete', undefined),
      parameters: [...nameParam, ...nsParam],
    },
  };
  if (t.statusSubresource) {
    out[`${prefix}/{name}/status`] = {
      get: op(t, 'get', undefined),
      put: op(t, 'put', ['application/json', 'application/yaml']),
      patch: op(t, 'patch', patchTypes(t)),
      parameters: [...nameParam, ...nsParam],
    };
  }
  return out;
}

/** The OpenAPI v3 document of one group-version: paths plus the kinds' schemas. */
export function openApiDoc(reg: ResourceRegistry, group: string, version: string): Obj | undefined {
  const types = reg.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const schemas: Obj = {
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': objectMeta,
    'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': listMeta,
  };
  let allPaths: Obj = {};
  for (const t of types) {
    schemas[schemaName(t)] = kindSchema(t);
    schemas[schemaName(t, t.listKind)] = listSchema(t);
    allPaths = { ...allPaths, ...paths(t) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.0' },
    paths: allPaths,
    components: { schemas },
  };
}

/** A content hash of a document, for the `?hash=` the index hands out. */
export function docHash(doc: Obj): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64).toUpperCase();
}

/** `GET /openapi/v3`: where each group-version's document lives. */
export function openApiIndex(reg: ResourceRegistry): Obj {
  const paths: Obj = {};
  for (const [group, versions] of reg.groups()) {
    for (const v of versions) {
      const doc = openApiDoc(reg, group, v);
      if (doc === undefined) continue;
      const p = gvPath(group, v);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${docHash(doc)}` };
    }
  }
  return { paths };
}
