import type { ResourceRegistry, ResourceType } from './resource-types.js';
import { apiVersionOf, resourceVerbs } from './resource-types.js';

type Obj = Record<string, unknown>;

/** Kubernetes version this server reports on `/version`. */
export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-taskrouter-local',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.24',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** `GET /api`: the core group's versions. */
export function apiVersions(): Obj {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
  };
}

function group(name: string, versions: string[]): Obj {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

/** `GET /apis`: every named group with its served versions. */
export function apiGroupList(reg: ResourceRegistry): Obj {
  const groups = [...reg.groups()]
    .filter(([name]) => name !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, versions]) => group(name, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `GET /apis/<group>`: one group. */
export function apiGroup(reg: ResourceRegistry, name: string): Obj | undefined {
  const versions = reg.groups().get(name);
  if (versions === undefined || name === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...group(name, versions) };
}

function resourceEntries(t: ResourceType): Obj[] {
  const main: Obj = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: resourceVerbs(),
  };
  if (t.shortNames.length > 0) main.shortNames = t.shortNames;
  if (t.categories.length > 0) main.categories = t.categories;
  const out = [main];
  if (t.statusSubresource) {
    out.push({
      name: `${t.plural}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'patch', 'update'],
    });
  }
  return out;
}

/** `GET /api/v1` or `/apis/<group>/<version>`: the resources served there. */
export function apiResourceList(reg: ResourceRegistry, g: string, v: string): Obj | undefined {
  const types = reg.inGroupVersion(g, v);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(g, v),
    resources: types.flatMap(resourceEntries),
  };
}
