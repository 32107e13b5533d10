import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallResult, ResourceCall } from './call.js';
import { isDryRun } from './call.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  SERVER_VERSION,
} from './discovery.js';
import type { Faults } from './faults.js';
import { applyFaultRequest } from './faults-http.js';
import type { Obj } from './object-util.js';
import { isObj, parseBody, show } from './object-util.js';
import { openApiDoc, openApiIndex } from './openapi.js';
import { Patches } from './patches.js';
import { Reads } from './reads.js';
import type { ResourceRegistry } from './resource-types.js';
import type { ResourceRoute } from './routes.js';
import { route } from './routes.js';
import type { Store } from './store.js';
import { ApiError, notFoundPath, unauthorized, unsupportedMediaType } from './status.js';
import { serveWatch } from './watch.js';
import type { WriteListener } from './writes.js';
import { Writes } from './writes.js';

/** Largest request body accepted, in bytes (etcd's object limit is about 1.5 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Everything the request handler needs; built once per server. */
export interface ApiServerDeps {
  store: Store;
  registry: ResourceRegistry;
  faults: Faults;
  token: string;
  bookmarkIntervalMs: number;
  onWrite: WriteListener;
  logger?: Logger;
}

function sendJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length > 0) {
    headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  }
  res.writeHead(code, headers);
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new ApiError(
            413,
            'RequestEntityTooLarge',
            `the request body exceeds ${MAX_BODY_BYTES} bytes`,
          ),
        );
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> =>
  new Promise((r) => {
    setTimeout(r, ms);
  });

/** The HTTP front of the local control plane: auth, routing, faults, and verb dispatch. */
export class ApiServer {
  readonly writes: Writes;
  readonly reads: Reads;
  private readonly patches: Patches;
  private readonly tokenBytes: Buffer;
  /** Open watches; each function ends one. */
  readonly openWatches = new Set<() => void>();

  constructor(private readonly d: ApiServerDeps) {
    this.writes = new Writes(d.store, d.onWrite);
    this.reads = new Reads(d.store);
    this.patches = new Patches(d.store, this.writes);
    this.tokenBytes = Buffer.from(`Bearer ${d.token}`);
  }

  private authorized(req: IncomingMessage): boolean {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === this.tokenBytes.length && timingSafeEqual(given, this.tokenBytes);
  }

  /** Serves one request; never throws, never leaves the response open by mistake. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.dispatch(req, res);
    } catch (err) {
      const apiErr =
        err instanceof ApiError
          ? err
          : new ApiError(
              500,
              'InternalError',
              `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
              undefined,
              { cause: err },
            );
      if (apiErr.code >= 500 && !(err instanceof ApiError)) {
        this.d.logger?.error({ err, method: req.method, url: req.url }, 'request failed');
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const headers: string[] = [];
      sendJson(res, apiErr.code, apiErr.toStatus(), headers);
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorized(req)) throw unauthorized();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const r = route(this.d.registry, method, url.pathname, url.searchParams);
    switch (r.kind) {
      case 'version': {
        sendJson(res, 200, SERVER_VERSION);
        return;
      }
      case 'health':
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      case 'api': {
        sendJson(res, 200, apiVersions());
        return;
      }
      case 'apis': {
        sendJson(res, 200, apiGroupList(this.d.registry));
        return;
      }
      case 'group': {
        sendJson(res, 200, apiGroup(this.d.registry, r.group) ?? notFoundBody());
        return;
      }
      case 'resources': {
        const list = apiResourceList(this.d.registry, r.group, r.version);
        if (list === undefined) throw notFoundPath();
        sendJson(res, 200, list);
        return;
      }
      case 'openapi-index': {
        sendJson(res, 200, openApiIndex(this.d.registry));
        return;
      }
      case 'openapi-doc': {
        const doc = openApiDoc(this.d.registry, r.group, r.version);
        if (doc === undefined) throw notFoundPath();
        sendJson(res, 200, doc);
        return;
      }
      case 'faults': {
        const body = parseBody(await readBody(req), 'application/json', undefined);
        try {
          sendJson(res, 200, applyFaultRequest(this.d.faults, this.d.store, body));
          return;
        } catch (err) {
          if (err instanceof RangeError)
            throw new ApiError(400, 'BadRequest', err.message, undefined, { cause: err });
          throw err;
        }
      }
      case 'resource':
        return this.resource(r, req, res, url.searchParams);
    }
  }

  private async resource(
    r: ResourceRoute,
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
  ): Promise<void> {
    const body =
      r.verb === 'create' ||
      r.verb === 'update' ||
      r.verb === 'patch' ||
      r.verb === 'delete' ||
      r.verb === 'deletecollection'
        ? await readBody(req)
        : Buffer.alloc(0);
    const contentType = req.headers['content-type'] ?? 'application/json';
    // Clients fall back to JSON when protobuf is refused with 415.
    if (body.length > 0 && contentType.includes('protobuf'))
      throw unsupportedMediaType(contentType);
    const call: ResourceCall = {
      type: r.type,
      namespace: r.namespace,
      name: r.name,
      subresource: r.subresource,
      query,
      body,
      contentType,
      userAgent: req.headers['user-agent'] ?? '',
    };
    const fault = this.d.faults.check({
      verb: r.verb,
      resource: r.type.plural,
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
    });
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.error !== undefined) {
      const retry = fault.error.details?.retryAfterSeconds;
      if (retry !== undefined) res.setHeader('Retry-After', String(retry));
      throw fault.error;
    }
    const accept = req.headers.accept;
    if (r.verb === 'watch') {
      serveWatch(call, accept, res, {
        store: this.d.store,
        reads: this.reads,
        faults: this.d.faults,
        bookmarkIntervalMs: this.d.bookmarkIntervalMs,
        open: this.openWatches,
      });
      return;
    }
    const result = this.verb(r, call, accept);
    sendJson(res, result.code, result.body, result.warnings);
  }

  private verb(r: ResourceRoute, call: ResourceCall, accept: string | undefined): CallResult {
    switch (r.verb) {
      case 'get':
        return this.reads.get(call, accept);
      case 'list':
        return this.reads.list(call, accept);
      case 'create':
        if (call.subresource !== '') throw notFoundPath();
        return this.writes.create(call);
      case 'update':
        return this.writes.update(call);
      case 'patch':
        return this.patches.patch(call);
      case 'delete':
        return this.writes.remove(call, deleteOptions(call));
      case 'deletecollection':
        return this.deleteCollection(call);
      case 'watch':
        throw notFoundPath();
    }
  }

  private deleteCollection(call: ResourceCall): CallResult {
    const options = deleteOptions(call);
    const items: Obj[] = [];
    for (const o of this.reads.toDelete(call)) {
      const m = o.metadata as Obj;
      const one: ResourceCall = {
        ...call,
        namespace: typeof m.namespace === 'string' ? m.namespace : '',
        name: String(m.name),
      };
      items.push(this.writes.remove(one, options).body);
    }
    const t = call.type;
    return {
      code: 200,
      body: {
        kind: t.listKind,
        apiVersion: t.group === '' ? t.version : `${t.group}/${t.version}`,
        metadata: { resourceVersion: String(this.d.store.currentRv) },
        items,
      },
    };
  }
}

function notFoundBody(): never {
  throw notFoundPath();
}

/** DeleteOptions from the body (kubectl sends one) or the query; dryRun is checked too. */
function deleteOptions(call: ResourceCall): Obj {
  isDryRun(call.query);
  if (call.body.length === 0) return {};
  const body = parseBody(call.body, call.contentType, undefined);
  if (!isObj(body)) return {};
  const policy = body.propagationPolicy;
  if (
    policy !== undefined &&
    policy !== 'Background' &&
    policy !== 'Foreground' &&
    policy !== 'Orphan'
  ) {
    throw new ApiError(422, 'Invalid', `propagationPolicy: Unsupported value: "${show(policy)}"`);
  }
  // TODO(#2): there is no garbage collector, so Foreground and Orphan act like Background.
  return body;
}
