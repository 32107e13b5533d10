#!/usr/bin/env node
/* global URL, performance, setTimeout */
// Rates of the local control plane over real HTTPS on loopback: creates, status merge patches
// and watch events delivered. Runs against the built dist/ (make build). Not a test: it reports
// numbers and the 2,000 status patches per second goal, and never fails on speed.
// Usage: node bench/localcluster.js [--count N] [--concurrency C]
import { Agent, request } from 'node:https';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { startLocalCluster } from '../dist/localcluster/index.js';

// The server runs in a worker thread so the load generator does not share its event loop.
if (!isMainThread) {
  const c = await startLocalCluster({ crdDir: new URL('../crds', import.meta.url).pathname });
  parentPort.postMessage({ url: c.url, token: c.token, caPem: c.caPem });
  parentPort.on('message', async () => {
    await c.close();
    process.exit(0);
  });
} else {
  const args = process.argv.slice(2);
  const flag = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
  };
  const count = flag('--count', 2000);
  const concurrency = flag('--concurrency', 32);

  const worker = new Worker(new URL(import.meta.url));
  const cluster = await new Promise((resolve) => worker.once('message', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: cluster.caPem });

  function call(method, path, body, contentType = 'application/json') {
    return new Promise((resolve, reject) => {
      const req = request(
        `${cluster.url}${path}`,
        {
          method,
          agent,
          headers: { Authorization: `Bearer ${cluster.token}`, 'Content-Type': contentType },
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
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async function pool(n, fn) {
    let next = 0;
    const workers = Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    });
    await Promise.all(workers);
  }

  const base = '/apis/taskrouter.io/v1alpha1/namespaces/default/tasks';
  let events = 0;
  const watchReq = request(
    `${cluster.url}${base}?watch=true`,
    {
      headers: { Authorization: `Bearer ${cluster.token}` },
      ca: cluster.caPem,
    },
    (res) => {
      res.on('data', (d) => {
        for (const b of d) if (b === 10) events++;
      });
    },
  );
  watchReq.on('error', () => undefined);
  watchReq.end();

  const rate = (n, ms) => Math.round((n * 1000) / ms);
  let t = performance.now();
  await pool(count, (i) =>
    call('POST', base, {
      apiVersion: 'taskrouter.io/v1alpha1',
      kind: 'Task',
      metadata: { name: `b-${i}` },
      spec: { command: 'echo', args: [String(i)] },
    }),
  );
  const createMs = performance.now() - t;
  t = performance.now();
  await pool(count, (i) =>
    call(
      'PATCH',
      `${base}/b-${i}/status`,
      { status: { phase: 'Running', agent: 'bench', attempts: 1 } },
      'application/merge-patch+json',
    ),
  );
  const patchMs = performance.now() - t;
  const watchStart = performance.now();
  while (events < 2 * count && performance.now() - watchStart < 5000) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const watchMs = createMs + patchMs + (performance.now() - watchStart);

  console.log(
    JSON.stringify(
      {
        count,
        concurrency,
        createsPerSecond: rate(count, createMs),
        statusPatchesPerSecond: rate(count, patchMs),
        watchEventsPerSecond: rate(events, watchMs),
        watchEventsSeen: events,
        statusPatchGoalMet: rate(count, patchMs) >= 2000,
      },
      null,
      2,
    ),
  );
  watchReq.destroy();
  agent.destroy();
  worker.postMessage('close');
  await new Promise((resolve) => worker.once('exit', resolve));
}
