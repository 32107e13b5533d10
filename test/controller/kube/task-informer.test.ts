import { createTaskInformer } from '../../../src/controller/kube/task-informer.js';
import type { TaskInformer } from '../../../src/controller/kube/task-informer.js';
import {
  createTask,
  deleteTask,
  freshNamespace,
  labelTask,
  startHarness,
  waitFor,
} from './harness.js';
import type { Harness } from './harness.js';

interface Seen {
  adds: string[];
  updates: string[];
  deletes: string[];
  restarts: string[];
}

describe('TaskInformer against the local control plane', () => {
  let h: Harness;
  let informers: TaskInformer[] = [];

  beforeAll(async () => {
    // Bookmarks every 200 ms let a short idle timeout tell a stalled watch from a quiet one.
    h = await startHarness(200);
  });
  afterEach(async () => {
    h.cluster.faults.clear();
    await Promise.all(informers.map((i) => i.stop()));
    informers = [];
  });
  afterAll(async () => {
    await h.close();
  });

  function start(
    namespace: string,
    watchIdleTimeoutMs = 30_000,
  ): { informer: TaskInformer; seen: Seen } {
    const seen: Seen = { adds: [], updates: [], deletes: [], restarts: [] };
    const informer = createTaskInformer({
      kubeConfig: h.kc,
      logger: h.logger,
      namespace,
      watchIdleTimeoutMs,
      backoff: { baseDelayMs: 20, maxDelayMs: 200 },
      handlers: {
        onAdd: (key) => seen.adds.push(key),
        onUpdate: (key) => seen.updates.push(key),
        onDelete: (key) => seen.deletes.push(key),
      },
      onRestart: (why) => seen.restarts.push(why),
    });
    informers.push(informer);
    return { informer, seen };
  }

  it('lists existing Tasks before start resolves, then sees add, update and delete', async () => {
    const ns = await freshNamespace(h);
    await createTask(h, ns, 'before');
    const { informer, seen } = start(ns);
    await informer.start();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.get(`${ns}/before`)?.metadata?.name).toBe('before');
    expect(seen.adds).toEqual([`${ns}/before`]);

    await createTask(h, ns, 'after');
    await waitFor('add', () => seen.adds.includes(`${ns}/after`));
    await labelTask(h, ns, 'after', { color: 'blue' });
    await waitFor('update', () => seen.updates.includes(`${ns}/after`));
    expect(informer.get(`${ns}/after`)?.metadata?.labels).toEqual({ color: 'blue' });
    await deleteTask(h, ns, 'after');
    await waitFor('delete', () => seen.deletes.includes(`${ns}/after`));
    expect(informer.get(`${ns}/after`)).toBeUndefined();
    expect(informer.list().map((t) => t.metadata?.name)).toEqual(['before']);
  });

  it('scopes to its namespace', async () => {
    const ns = await freshNamespace(h);
    const other = await freshNamespace(h);
    const { informer, seen } = start(ns);
    await informer.start();
    await createTask(h, other, 'elsewhere');
    await createTask(h, ns, 'here');
    await waitFor('add', () => seen.adds.includes(`${ns}/here`));
    expect(seen.adds).toEqual([`${ns}/here`]);
  });

  it('restarts a silently stalled watch through its watchdog and misses nothing', async () => {
    const ns = await freshNamespace(h);
    const { informer, seen } = start(ns, 1000);
    await informer.start();
    await waitFor('watch open', () => h.cluster.faults.openWatches({ namespace: ns }) === 1);
    expect(h.cluster.faults.stallWatches({ namespace: ns })).toBe(1);
    await createTask(h, ns, 'during-stall');
    await waitFor('watchdog restart', () => seen.restarts.includes('idle'));
    await waitFor('add after restart', () => seen.adds.includes(`${ns}/during-stall`));
    expect(seen.adds).toEqual([`${ns}/during-stall`]);
  });

  it('relists on 410 inside the stream without replaying unchanged objects', async () => {
    const ns = await freshNamespace(h);
    await createTask(h, ns, 'steady');
    await createTask(h, ns, 'changing');
    const { informer, seen } = start(ns);
    await informer.start();
    await waitFor('watch open', () => h.cluster.faults.openWatches({ namespace: ns }) === 1);
    expect(h.cluster.faults.sendWatchError({ namespace: ns }, 410)).toBe(1);
    await waitFor('relist', () => seen.restarts.includes('gone'));
    await waitFor('watch reopened', () => h.cluster.faults.openWatches({ namespace: ns }) === 1);
    await labelTask(h, ns, 'changing', { v: '2' });
    await waitFor('update', () => seen.updates.length > 0);
    expect(seen.updates).toEqual([`${ns}/changing`]);
    expect(seen.adds.sort()).toEqual([`${ns}/changing`, `${ns}/steady`]);
  });

  it('restarts a dropped watch and keeps delivering', async () => {
    const ns = await freshNamespace(h);
    const { informer, seen } = start(ns);
    await informer.start();
    await waitFor('watch open', () => h.cluster.faults.openWatches({ namespace: ns }) === 1);
    expect(h.cluster.faults.dropWatches({ namespace: ns })).toBe(1);
    await waitFor('restart', () => seen.restarts.includes('closed'));
    await createTask(h, ns, 'after-drop');
    await waitFor('add', () => seen.adds.includes(`${ns}/after-drop`));
  });

  it('keeps retrying a failing list until it succeeds', async () => {
    const ns = await freshNamespace(h);
    await createTask(h, ns, 'x');
    h.cluster.faults.failNext({
      verb: 'list',
      resource: 'tasks',
      namespace: ns,
      code: 500,
      count: 3,
    });
    const { informer, seen } = start(ns);
    await informer.start();
    expect(seen.adds).toEqual([`${ns}/x`]);
  });

  it('recovers from a watch answered with 500 and does not stop', async () => {
    const ns = await freshNamespace(h);
    const { informer, seen } = start(ns);
    h.cluster.faults.failNext({
      verb: 'watch',
      resource: 'tasks',
      namespace: ns,
      code: 500,
      count: 2,
    });
    await informer.start();
    await waitFor(
      'two failed watches',
      () => seen.restarts.filter((r) => r === 'error').length >= 2,
    );
    await createTask(h, ns, 'y');
    await waitFor('add', () => seen.adds.includes(`${ns}/y`));
  });

  it('stops promptly with a watch open', async () => {
    const ns = await freshNamespace(h);
    const { informer } = start(ns);
    await informer.start();
    await waitFor('watch open', () => h.cluster.faults.openWatches({ namespace: ns }) === 1);
    await informer.stop();
    await waitFor('watch closed', () => h.cluster.faults.openWatches({ namespace: ns }) === 0);
  });
});
