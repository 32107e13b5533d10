// Rates of the local control plane over real HTTPS on loopback: creates and status merge patches
// with 32 requests in flight, beside a bare HTTPS server answering the same requests at once
// (the ceiling of the client and TLS on this machine), measured in the same run.
import { URL } from 'node:url';
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { repeat } from '../lib/stats.js';
import { row } from '../lib/report.js';

const CONCURRENCY = 32;
const BASE = '/apis/taskrouter.io/v1alpha1/namespaces/default/tasks';

async function startServer(kind) {
  const worker = new Worker(new URL('../children/cluster-worker.js', import.meta.url), {
    workerData: { kind },
  });
  const info = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const close = async () => {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('close');
    await exited;
  };
  return { ...info, close };
}

function client(server) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: server.caPem });
  const call = (method, path, body, contentType = 'application/json') =>
    new Promise((resolve, reject) => {
      const req = request(
        `${server.url}${path}`,
        {
          method,
          agent,
          headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': contentType },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode}`));
            else resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  return { call, close: () => agent.destroy() };
}

async function pool(n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Creates then status-patches `count` Tasks; returns both rates per second. */
async function rates(server, count, prefix) {
  const c = client(server);
  try {
    let t = performance.now();
    await pool(count, (i) =>
      c.call('POST', BASE, {
        apiVersion: 'taskrouter.io/v1alpha1',
        kind: 'Task',
        metadata: { name: `${prefix}-${i}` },
        spec: { command: 'echo', args: [String(i)] },
      }),
    );
    const creates = (count * 1000) / (performance.now() - t);
    t = performance.now();
    await pool(count, (i) =>
      c.call(
        'PATCH',
        `${BASE}/${prefix}-${i}/status`,
        { status: { phase: 'Running', agent: 'bench', attempts: 1 } },
        'application/merge-patch+json',
      ),
    );
    const patches = (count * 1000) / (performance.now() - t);
    return { creates, patches };
  } finally {
    c.close();
  }
}

/** Rows: creates per second and status patches per second against the bare server. */
export async function run({ quick, reps }) {
  const count = quick ? 300 : 2000;
  const cluster = await startServer('cluster');
  const bare = await startServer('bare');
  try {
    const r = await repeat(reps, async (rep) => {
      const real = await rates(cluster, count, `b${rep}`);
      const base = await rates(bare, count, `b${rep}`);
      return { c: real.creates, p: real.patches, bc: base.creates, bp: base.patches };
    });
    const baseline = (values) => ({ name: 'bare HTTPS server', values });
    return [
      row({
        id: 'localcluster.creates',
        figure: 'local control plane creates',
        unit: '/s',
        values: r.c,
        baseline: baseline(r.bc),
      }),
      row({
        id: 'localcluster.statusPatches',
        figure: 'local control plane status patches',
        unit: '/s',
        values: r.p,
        baseline: baseline(r.bp),
        goal: { on: 'value', op: '>=', limit: 2000, source: 'issue 2' },
      }),
    ];
  } finally {
    await cluster.close();
    await bare.close();
  }
}
