/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- assertions read JSON replies loosely */
import * as k8s from '@kubernetes/client-node';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { startLocalCluster } from '../../src/localcluster/index.js';
import { api, freshNamespace, task, tasksPath, watch } from './helpers.js';

const MERGE = { 'Content-Type': 'application/merge-patch+json' };

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('watch, informers and faults', () => {
  let c: LocalCluster;
  beforeAll(async () => {
    c = await startLocalCluster({ bookmarkIntervalMs: 100, historySize: 1000 });
  });
  afterAll(async () => {
    await c.close();
  });
  afterEach(() => {
    c.faults.clear();
  });

  it('starts with ADDED for what exists, then streams changes', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('a'));
    const w = await watch(c, `${tasksPath(ns)}?watch=true`);
    try {
      expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
      await api(
        c,
        'PATCH',
        `${tasksPath(ns, 'a')}/status`,
        { status: { phase: 'Running' } },
        MERGE,
      );
      expect(await w.next()).toMatchObject({
        type: 'MODIFIED',
        object: { status: { phase: 'Running' } },
      });
      await api(c, 'DELETE', tasksPath(ns, 'a'));
      expect(await w.next()).toMatchObject({ type: 'DELETED' });
    } finally {
      w.close();
    }
  });

  it('replays changes after a resourceVersion', async () => {
    const ns = await freshNamespace(c);
    const list = await api(c, 'GET', tasksPath(ns));
    await api(c, 'POST', tasksPath(ns), task('r1'));
    await api(c, 'POST', tasksPath(ns), task('r2'));
    const w = await watch(
      c,
      `${tasksPath(ns)}?watch=true&resourceVersion=${list.body.metadata.resourceVersion as string}`,
    );
    try {
      expect((await w.next()).object.metadata.name).toBe('r1');
      expect((await w.next()).object.metadata.name).toBe('r2');
    } finally {
      w.close();
    }
  });

  it('sends a 410 ERROR event and ends when the resourceVersion is older than the history', async () => {
    const ns = await freshNamespace(c);
    const list = await api(c, 'GET', tasksPath(ns));
    await api(c, 'POST', tasksPath(ns), task('old'));
    c.store.compact();
    const w = await watch(
      c,
      `${tasksPath(ns)}?watch=true&resourceVersion=${list.body.metadata.resourceVersion as string}`,
    );
    expect(w.status).toBe(200);
    expect(await w.next()).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
    await w.ended;
  });

  it('reports objects leaving a label selector as DELETED', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('sel', undefined, { labels: { pick: 'yes' } }));
    const w = await watch(c, `${tasksPath(ns)}?watch=true&labelSelector=pick%3Dyes`);
    try {
      expect((await w.next()).type).toBe('ADDED');
      await api(c, 'PATCH', tasksPath(ns, 'sel'), { metadata: { labels: { pick: 'no' } } }, MERGE);
      expect((await w.next()).type).toBe('DELETED');
    } finally {
      w.close();
    }
  });

  it('sends BOOKMARK events when asked and ends at timeoutSeconds', async () => {
    const ns = await freshNamespace(c);
    const w = await watch(
      c,
      `${tasksPath(ns)}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1`,
    );
    const e = await w.next();
    expect(e).toMatchObject({
      type: 'BOOKMARK',
      object: { kind: 'Task', metadata: { resourceVersion: expect.any(String) } },
    });
    await w.ended;
  });

  it('serves Table watch events for kubectl get -w', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('tb'));
    const w = await watch(c, `${tasksPath(ns)}?watch=true`, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    try {
      const e = await w.next();
      expect(e.object.kind).toBe('Table');
      expect(e.object.rows[0].cells[0]).toBe('tb');
    } finally {
      w.close();
    }
  });

  it('feeds a client-node informer adds, updates and deletes, and it recovers from a 410', async () => {
    const ns = await freshNamespace(c);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(c.kubeConfigYaml);
    const objects = kc.makeApiClient(k8s.CustomObjectsApi);
    const path = tasksPath(ns);
    const informer = k8s.makeInformer(
      kc,
      path,
      async () =>
        (await objects.listNamespacedCustomObject({
          group: 'taskrouter.io',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'tasks',
        })) as k8s.KubernetesListObject<k8s.KubernetesObject>,
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name ?? ''}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name ?? ''}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name ?? ''}`));
    await informer.start();
    try {
      await api(c, 'POST', path, task('i1'));
      await until(() => seen.includes('add:i1'), 'add');
      await api(
        c,
        'PATCH',
        `${tasksPath(ns, 'i1')}/status`,
        { status: { phase: 'Running' } },
        MERGE,
      );
      await until(() => seen.includes('update:i1'), 'update');
      await api(c, 'DELETE', tasksPath(ns, 'i1'));
      await until(() => seen.includes('delete:i1'), 'delete');
      // A 410 inside the open watch makes the informer relist and watch again.
      await until(() => c.faults.openWatches({ namespace: ns }) === 1, 'watch open');
      expect(c.faults.sendWatchError({ namespace: ns }, 410)).toBe(1);
      await api(c, 'POST', path, task('i2'));
      await until(() => seen.includes('add:i2'), 'add after 410');
    } finally {
      await informer.stop();
    }
  });

  it('fails the next N calls of a verb on the status subresource with the given code', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('f'));
    c.faults.failNext({
      verb: 'patch',
      resource: 'tasks',
      subresource: 'status',
      code: 409,
      count: 2,
    });
    const p = (): ReturnType<typeof api> =>
      api(c, 'PATCH', `${tasksPath(ns, 'f')}/status`, { status: { phase: 'Running' } }, MERGE);
    expect((await p()).body).toMatchObject({ kind: 'Status', code: 409, reason: 'Conflict' });
    expect(
      (await api(c, 'PATCH', tasksPath(ns, 'f'), { spec: { priority: 1 } }, MERGE)).status,
    ).toBe(200);
    expect((await p()).status).toBe(409);
    expect((await p()).status).toBe(200);
  });

  it('answers 429 with Retry-After and 500 with an InternalError Status', async () => {
    const ns = await freshNamespace(c);
    c.faults.failNext({ verb: 'list', resource: 'tasks', code: 429, retryAfterSeconds: 2 });
    c.faults.failNext({ verb: 'create', resource: 'tasks', code: 500 });
    const l = await api(c, 'GET', tasksPath(ns));
    expect(l.status).toBe(429);
    expect(l.headers['retry-after']).toBe('2');
    expect(l.body.reason).toBe('TooManyRequests');
    const cr = await api(c, 'POST', tasksPath(ns), task('x'));
    expect(cr.body).toMatchObject({ code: 500, reason: 'InternalError' });
  });

  it('delays calls before serving them', async () => {
    const ns = await freshNamespace(c);
    c.faults.delay({ verb: 'get', resource: 'tasks', ms: 300, count: 1 });
    // The delayed get is served after the create that was sent later, so it finds the object.
    const delayed = api(c, 'GET', tasksPath(ns, 'late'));
    expect((await api(c, 'POST', tasksPath(ns), task('late'))).status).toBe(201);
    expect((await delayed).status).toBe(200);
  });

  it('stalls a watch silently and drops another', async () => {
    const ns = await freshNamespace(c);
    const w = await watch(c, `${tasksPath(ns)}?watch=true`);
    expect(c.faults.stallWatches({ namespace: ns })).toBe(1);
    await api(c, 'POST', tasksPath(ns), task('s1'));
    await expect(w.next(300)).rejects.toThrow('no watch event in time');
    expect(c.faults.dropWatches({ namespace: ns })).toBe(1);
    await w.ended;
  });

  it('takes faults over the reserved HTTP path', async () => {
    const ns = await freshNamespace(c);
    const r = await api(c, 'POST', '/_local/faults', {
      failNext: { verb: 'get', resource: 'tasks', code: 503 },
    });
    expect(r.status).toBe(200);
    expect((await api(c, 'GET', tasksPath(ns, 'x'))).status).toBe(503);
    expect((await api(c, 'POST', '/_local/faults', { nonsense: 1 })).status).toBe(400);
  });

  it('ends open watches promptly on close', async () => {
    const other = await startLocalCluster();
    const w = await watch(other, '/api/v1/namespaces?watch=true');
    await other.close();
    await w.ended;
    expect(w.events.length).toBeGreaterThan(0);
  });
});
