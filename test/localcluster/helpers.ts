/* eslint-disable @typescript-eslint/no-explicit-any -- assertions read JSON replies loosely */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { toolPath } from '../../scripts/tools.js';

export type Json = Record<string, any>;

/** One HTTP answer from the local control plane. */
export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Json;
  text: string;
}

/** Sends one request with the cluster's token and CA; the body is JSON unless a string. */
export function api(
  c: LocalCluster,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload =
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      `${c.url}${path}`,
      {
        method,
        ca: c.caPem,
        headers: {
          Authorization: `Bearer ${c.token}`,
          'Content-Type': 'application/json',
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Json = {};
          try {
            parsed = JSON.parse(text) as Json;
          } catch {
            parsed = {};
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** An open watch: events arrive in `events`; `next()` waits for the next one. */
export interface WatchStream {
  events: Json[];
  next(timeoutMs?: number): Promise<Json>;
  ended: Promise<void>;
  close(): void;
  status: number;
}

export function watch(
  c: LocalCluster,
  path: string,
  headers: Record<string, string> = {},
): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.url}${path}`,
      { method: 'GET', ca: c.caPem, headers: { Authorization: `Bearer ${c.token}`, ...headers } },
      (res) => {
        const events: Json[] = [];
        let read = 0;
        let waiter: (() => void) | undefined;
        let buf = '';
        let endResolve: () => void = () => undefined;
        const ended = new Promise<void>((r) => {
          endResolve = r;
        });
        res.on('data', (d: Buffer) => {
          buf += d.toString('utf8');
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim() !== '') events.push(JSON.parse(line) as Json);
          }
          waiter?.();
        });
        res.on('close', () => {
          endResolve();
          waiter?.();
        });
        let closed = false;
        res.on('close', () => {
          closed = true;
        });
        const next = async (timeoutMs = 5000): Promise<Json> => {
          const deadline = Date.now() + timeoutMs;
          while (read >= events.length) {
            if (closed) throw new Error('watch ended');
            const left = deadline - Date.now();
            if (left <= 0) throw new Error('no watch event in time');
            await new Promise<void>((r) => {
              const t = setTimeout(r, left);
              waiter = () => {
                clearTimeout(t);
                r();
              };
            });
          }
          const e = events[read];
          read += 1;
          return e!;
        };
        resolve({ events, next, ended, close: () => req.destroy(), status: res.statusCode ?? 0 });
      },
    );
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

let nsCounter = 0;

/** Creates a namespace with a unique name for one test. */
export async function freshNamespace(c: LocalCluster, prefix = 't'): Promise<string> {
  nsCounter += 1;
  const name = `${prefix}-${process.pid}-${nsCounter}`;
  const r = await api(c, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  if (r.status !== 201) throw new Error(`namespace ${name}: ${r.status} ${r.text}`);
  return name;
}

/** A Task manifest with the given name and spec. */
export function task(
  name: string,
  spec: Json = { command: 'echo', args: ['hi'] },
  meta: Json = {},
): Json {
  return { apiVersion: 'taskrouter.io/v1alpha1', kind: 'Task', metadata: { name, ...meta }, spec };
}

export function tasksPath(ns: string, name = ''): string {
  return `/apis/taskrouter.io/v1alpha1/namespaces/${ns}/tasks${name === '' ? '' : `/${name}`}`;
}

/** Result of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kubectl bound to one cluster with its own discovery cache folder. */
export function kubectlFor(c: LocalCluster): {
  (args: string[], input?: string): Promise<KubectlResult>;
  /** The arguments every run starts with (kubeconfig and a private cache folder). */
  base: string[];
  cleanup(): void;
} {
  const bin = toolPath('kubectl');
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  const run = (args: string[], input?: string): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        bin,
        ['--kubeconfig', c.kubeconfigPath, '--cache-dir', cacheDir, ...args],
        { timeout: 20000 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  return Object.assign(run, {
    base: ['--kubeconfig', c.kubeconfigPath, '--cache-dir', cacheDir],
    cleanup: () => {
      rmSync(cacheDir, { recursive: true, force: true });
    },
  });
}

export { toolPath };
