import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ApiServer } from './api-server.js';
import type { ResourceCall } from './call.js';
import { crdToTypes, readCrdDir } from './crd.js';
import { Faults } from './faults.js';
import { kubeconfigYaml } from './kubeconfig.js';
import type { Obj } from './object-util.js';
import { ResourceRegistry } from './resource-types.js';
import type { ResourceType } from './resource-types.js';
import { Store } from './store.js';
import { selfSignedCert } from './tls-cert.js';

/** Options for {@link startLocalCluster}. */
export interface LocalClusterOptions {
  /** TCP port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Bind address; only loopback is accepted. Default `127.0.0.1`. */
  host?: string;
  /**
   * Serve https with a fresh self-signed certificate (trusted by the kubeconfig); default true.
   * kubectl does not send bearer tokens over plain http, so turn this off only for other clients.
   */
  tls?: boolean;
  /** Folder whose `*.yaml` CRDs are loaded at start; default the project's `crds/`; null for none. */
  crdDir?: string | null;
  /** Where to write the kubeconfig; default a fresh temporary file removed on close. */
  kubeconfigPath?: string;
  /** Watch history kept for resume, in events; default 10000. */
  historySize?: number;
  /** Interval of BOOKMARK events on watches that ask for them, in ms; default 1000. */
  bookmarkIntervalMs?: number;
  logger?: Logger;
}

/** A running local control plane. */
export interface LocalCluster {
  /** `https://127.0.0.1:<port>` (http when started with `tls: false`). */
  url: string;
  /** The server certificate (PEM) clients must trust; undefined without TLS. */
  caPem: string | undefined;
  port: number;
  /** The bearer token every request must carry. */
  token: string;
  kubeconfigPath: string;
  kubeConfigYaml: string;
  faults: Faults;
  store: Store;
  registry: ResourceRegistry;
  /** Ends open watches and connections and stops listening. */
  close(): Promise<void>;
}

/** Refused configuration of the local control plane; names the field. */
export class LocalClusterConfigError extends Error {
  constructor(field: string, expected: string, got: unknown) {
    super(`${field}: expected ${expected}, got ${JSON.stringify(got)}`);
    this.name = 'LocalClusterConfigError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The project's `crds/` folder, found from this module (src/ or dist/), not the cwd. */
export function defaultCrdDir(): string {
  return fileURLToPath(new URL('../../crds', import.meta.url));
}

function internalCall(t: ResourceType, obj: Obj, namespace = ''): ResourceCall {
  return {
    type: t,
    namespace,
    name: '',
    subresource: '',
    query: new URLSearchParams(),
    body: Buffer.from(JSON.stringify(obj)),
    contentType: 'application/json',
    userAgent: 'task-router-local',
  };
}

function wireLifecycle(registry: ResourceRegistry, store: Store, server: () => ApiServer) {
  return (t: ResourceType, obj: Obj, deleted: boolean): void => {
    const name = String((obj.metadata as Obj).name);
    if (t.kind === 'CustomResourceDefinition' && t.group === 'apiextensions.k8s.io') {
      const old = registry.all().filter((r) => r.crdName === name);
      registry.removeCrd(name);
      if (deleted) {
        for (const key of new Set(old.map((r) => r.storageKey))) {
          const rt = old.find((r) => r.storageKey === key);
          if (rt === undefined) continue;
          for (const o of store.list(key)) server().writes.forceRemove(rt, o);
        }
        return;
      }
      for (const nt of crdToTypes(obj)) registry.add(nt);
      return;
    }
    if (deleted && t.kind === 'Namespace' && t.group === '') {
      // TODO(#2): objects in a deleted namespace go at once, finalizers or not; a real namespace
      // stays Terminating until they are gone.
      const seen = new Set<string>();
      for (const rt of registry.all()) {
        if (!rt.namespaced || seen.has(rt.storageKey)) continue;
        seen.add(rt.storageKey);
        for (const o of store.list(rt.storageKey, name)) server().writes.forceRemove(rt, o);
      }
    }
  };
}

function checkOptions(options: LocalClusterOptions): {
  host: string;
  port: number;
  bookmarkIntervalMs: number;
} {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new LocalClusterConfigError(
      'host',
      'a loopback address (127.0.0.1, ::1, localhost)',
      host,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LocalClusterConfigError('port', 'an integer 0-65535', port);
  }
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
  if (!(bookmarkIntervalMs > 0)) {
    throw new LocalClusterConfigError(
      'bookmarkIntervalMs',
      'a positive number',
      bookmarkIntervalMs,
    );
  }
  return { host, port, bookmarkIntervalMs };
}

/**
 * Starts the embedded Kubernetes API server on loopback with a random bearer token, loads the
 * CRDs, creates the `default`, `kube-system`, `kube-public` and `kube-node-lease` namespaces and
 * writes a kubeconfig.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const { host, port, bookmarkIntervalMs } = checkOptions(options);
  const store = new Store(
    options.historySize === undefined ? {} : { historySize: options.historySize },
  );
  const registry = new ResourceRegistry();
  const faults = new Faults();
  const token = randomBytes(32).toString('hex');
  // Assigned right below; the lifecycle hook needs the server it is passed to.
  // eslint-disable-next-line prefer-const
  let api: ApiServer | undefined;
  const getApi = (): ApiServer => {
    if (api === undefined) throw new Error('api server used before construction');
    return api;
  };
  api = new ApiServer({
    store,
    registry,
    faults,
    token,
    bookmarkIntervalMs,
    onWrite: wireLifecycle(registry, store, getApi),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const ns = registry.get('', 'v1', 'namespaces');
  const crdType = registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  if (ns === undefined || crdType === undefined) throw new Error('built-in resources missing');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    api.writes.create(
      internalCall(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
    );
  }
  const crdDir = options.crdDir === undefined ? defaultCrdDir() : options.crdDir;
  if (crdDir !== null && (options.crdDir !== undefined || existsSync(crdDir))) {
    for (const crd of readCrdDir(crdDir)) api.writes.create(internalCall(crdType, crd));
  }

  const apiServer = api;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void apiServer.handle(req, res);
  };
  const cert = options.tls === false ? undefined : selfSignedCert();
  const server =
    cert === undefined
      ? createServer(handler)
      : createTlsServer({ key: cert.keyPem, cert: cert.certPem }, handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `${cert === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  const kubeConfigYaml = kubeconfigYaml(url, token, cert?.certPem);
  let tempDir: string | undefined;
  let kubeconfigPath = options.kubeconfigPath;
  if (kubeconfigPath === undefined) {
    tempDir = await mkdtemp(join(tmpdir(), 'task-router-local-'));
    kubeconfigPath = join(tempDir, 'kubeconfig.yaml');
  }
  await writeFile(kubeconfigPath, kubeConfigYaml, { mode: 0o600 });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const end of [...apiServer.openWatches]) end();
      const done = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      server.closeAllConnections();
      await done;
      if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
    })();
    return closing;
  };
  return {
    url,
    caPem: cert?.certPem,
    port: actualPort,
    token,
    kubeconfigPath,
    kubeConfigYaml,
    faults,
    store,
    registry,
    close,
  };
}
