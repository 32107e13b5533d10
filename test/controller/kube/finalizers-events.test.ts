import { EventsV1Api } from '@kubernetes/client-node';

import {
  EventRecorder,
  REPORTING_CONTROLLER,
} from '../../../src/controller/kube/event-recorder.js';
import { TaskFinalizers } from '../../../src/controller/kube/finalizers.js';
import {
  createTask,
  deleteTask,
  freshNamespace,
  getTask,
  labelTask,
  startHarness,
} from './harness.js';
import type { Harness } from './harness.js';

describe('finalizers and events against the local control plane', () => {
  let h: Harness;
  let ns: string;

  beforeAll(async () => {
    h = await startHarness();
    ns = await freshNamespace(h);
  });
  afterEach(() => {
    h.cluster.faults.clear();
  });
  afterAll(async () => {
    await h.close();
  });

  it('adds the cancel finalizer once, keeping finalizers of others, even from a stale copy', async () => {
    const finalizers = new TaskFinalizers({ kubeConfig: h.kc });
    const task = await createTask(h, ns, 'fin');
    await h.tasks.patchNamespacedCustomObject({
      group: 'taskrouter.io',
      version: 'v1alpha1',
      plural: 'tasks',
      namespace: ns,
      name: 'fin',
      body: [{ op: 'add', path: '/metadata/finalizers', value: ['example.com/other'] }],
    });
    const updated = await finalizers.ensure(task); // `task` predates the other finalizer
    expect(updated?.metadata?.finalizers).toEqual(['example.com/other', 'taskrouter.io/cancel']);
    const rv = h.cluster.store.currentRv;
    await finalizers.ensure(updated ?? task);
    expect(h.cluster.store.currentRv).toBe(rv);
  });

  it('removes the finalizer so a deletion completes, and tolerates a Task already gone', async () => {
    const finalizers = new TaskFinalizers({ kubeConfig: h.kc });
    const task = await createTask(h, ns, 'del');
    const held = await finalizers.ensure(task);
    expect(held).toBeDefined();
    await deleteTask(h, ns, 'del');
    const deleting = await getTask(h, ns, 'del');
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    h.cluster.faults.failNext({ verb: 'patch', resource: 'tasks', name: 'del', code: 409 });
    expect(await finalizers.remove(deleting)).toBeUndefined();
    await expect(getTask(h, ns, 'del')).rejects.toMatchObject({ code: 404 });
    expect(await finalizers.remove(deleting)).toBeUndefined();
  });

  it('retries a finalizer change after a 409 from a concurrent writer', async () => {
    const finalizers = new TaskFinalizers({ kubeConfig: h.kc });
    const task = await createTask(h, ns, 'busy');
    await labelTask(h, ns, 'busy', { a: 'b' });
    const updated = await finalizers.ensure(task);
    expect(updated?.metadata?.finalizers).toEqual(['taskrouter.io/cancel']);
    expect(updated?.metadata?.labels).toEqual({ a: 'b' });
  });

  it('records events.k8s.io/v1 Events about a Task', async () => {
    const recorder = new EventRecorder({
      kubeConfig: h.kc,
      logger: h.logger,
      reportingInstance: 'pod-a',
    });
    const task = await createTask(h, ns, 'evented');
    recorder.record(task, {
      type: 'Normal',
      reason: 'Dispatched',
      action: 'Dispatch',
      note: 'to agent-1',
    });
    recorder.record(task, {
      type: 'Warning',
      reason: 'TimedOut',
      action: 'Timeout',
      note: 'after 2s',
    });
    await recorder.flush();
    const list = await h.kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
    const mine = list.items.filter((e) => e.regarding?.name === 'evented');
    expect(mine.map((e) => [e.type, e.reason, e.action, e.note]).sort()).toEqual([
      ['Normal', 'Dispatched', 'Dispatch', 'to agent-1'],
      ['Warning', 'TimedOut', 'Timeout', 'after 2s'],
    ]);
    expect(mine[0]?.reportingController).toBe(REPORTING_CONTROLLER);
    expect(mine[0]?.reportingInstance).toBe('pod-a');
    expect(mine[0]?.regarding?.uid).toBe(task.metadata?.uid);
  });

  it('drops Events over its rate and never throws when the API fails', async () => {
    let dropped = 0;
    let failed = 0;
    const recorder = new EventRecorder({
      kubeConfig: h.kc,
      logger: h.logger,
      reportingInstance: 'pod-a',
      burst: 3,
      perSecond: 0.001,
      onDropped: () => (dropped += 1),
      onFailed: () => (failed += 1),
    });
    const task = await createTask(h, ns, 'storm');
    h.cluster.faults.failNext({ verb: 'create', resource: 'events', code: 500 });
    for (let i = 0; i < 10; i++) {
      recorder.record(task, { type: 'Normal', reason: 'Retrying', action: 'Retry', note: `${i}` });
    }
    await recorder.flush();
    expect(dropped).toBe(7);
    expect(failed).toBe(1);
    const list = await h.kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
    expect(list.items.filter((e) => e.regarding?.name === 'storm')).toHaveLength(2);
  });
});
