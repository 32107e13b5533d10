import type { Verb } from './faults.js';
import type { ResourceRegistry, ResourceType } from './resource-types.js';
import { methodNotAllowed, notFoundPath } from './status.js';

/** A request path that names something other than a resource. */
export type InfoRoute =
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'resources'; group: string; version: string }
  | { kind: 'openapi-index' }
  | { kind: 'openapi-doc'; group: string; version: string }
  | { kind: 'faults' };

/** A request against a resource, with its verb. */
export interface ResourceRoute {
  kind: 'resource';
  type: ResourceType;
  verb: Verb;
  namespace: string;
  name: string;
  subresource: string;
}

export type Route = InfoRoute | ResourceRoute;

/** The reserved path for fault injection over HTTP (POST JSON, see faults-http.ts). */
export const FAULTS_PATH = '/_local/faults';

// eslint-disable-next-line complexity -- a flat table of fixed paths, clearer kept in one place
function infoRoute(segs: string[], path: string): InfoRoute | undefined {
  if (path === '/version') return { kind: 'version' };
  if (path === '/healthz' || path === '/livez' || path === '/readyz') return { kind: 'health' };
  if (path === FAULTS_PATH) return { kind: 'faults' };
  if (path === '/api') return { kind: 'api' };
  if (path === '/apis') return { kind: 'apis' };
  if (path === '/openapi/v3') return { kind: 'openapi-index' };
  if (segs[0] === 'openapi' && segs[1] === 'v3') {
    if (segs[2] === 'api' && segs.length === 4)
      return { kind: 'openapi-doc', group: '', version: segs[3] ?? '' };
    if (segs[2] === 'apis' && segs.length === 5) {
      return { kind: 'openapi-doc', group: segs[3] ?? '', version: segs[4] ?? '' };
    }
    return undefined;
  }
  if (segs[0] === 'api' && segs.length === 2)
    return { kind: 'resources', group: '', version: segs[1] ?? '' };
  if (segs[0] === 'apis' && segs.length === 2) return { kind: 'group', group: segs[1] ?? '' };
  if (segs[0] === 'apis' && segs.length === 3) {
    return { kind: 'resources', group: segs[1] ?? '', version: segs[2] ?? '' };
  }
  return undefined;
}

function verbOf(method: string, named: boolean, watch: boolean): Verb {
  switch (method) {
    case 'GET':
      if (named) return 'get';
      return watch ? 'watch' : 'list';
    case 'POST':
      if (named) throw methodNotAllowed(method);
      return 'create';
    case 'PUT':
      if (!named) throw methodNotAllowed(method);
      return 'update';
    case 'PATCH':
      if (!named) throw methodNotAllowed(method);
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      throw methodNotAllowed(method);
  }
}

/**
 * Maps a method and path to what it asks for; throws 404 or 405 Status errors for paths and
 * methods the server does not serve.
 */
// eslint-disable-next-line complexity -- path parsing steps in the order the API server applies them
export function route(
  reg: ResourceRegistry,
  method: string,
  path: string,
  query: URLSearchParams,
): Route {
  const segs = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const info = infoRoute(segs, path);
  if (info !== undefined) {
    if (method !== 'GET' && !(info.kind === 'faults' && method === 'POST'))
      throw methodNotAllowed(method);
    return info;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    group = '';
    version = segs[1] ?? '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    rest = segs.slice(3);
  } else {
    throw notFoundPath();
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const inner = reg.get(group, version, rest[2] ?? '');
    if (inner?.namespaced === true) {
      namespace = rest[1] ?? '';
      rest = rest.slice(2);
    }
  }
  const [plural = '', name = '', subresource = '', ...extra] = rest;
  const type = reg.get(group, version, plural);
  if (type === undefined || extra.length > 0) throw notFoundPath();
  if (subresource !== '' && !(subresource === 'status' && type.statusSubresource))
    throw notFoundPath();
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  const verb = verbOf(method, name !== '', watch);
  // A namespaced object is only addressed inside its namespace; lists may span all of them.
  if (type.namespaced && namespace === '' && verb !== 'list' && verb !== 'watch')
    throw notFoundPath();
  return { kind: 'resource', type, verb, namespace, name, subresource };
}
