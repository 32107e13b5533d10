import {
  ConflictRetriesExhaustedError,
  KubeApiError,
  NotLeaderError,
} from '../../../src/controller/kube/errors.js';
import { StatusWriter } from '../../../src/controller/kube/status-writer.js';
import type { StatusWriterOptions } from '../../../src/controller/kube/status-writer.js';
import {
  createTask,
  deleteTask,
  freshNamespace,
  getTask,
  labelTask,
  startHarness,
} from './harness.js';
import type { Harness } from './harness.js';
import type { TaskStatus } from '../../../src/api/index.js';

const now = '2025-01-01T00:00:00Z';
const running: TaskStatus = {
  phase: 'Running',
  agent: 'agent-1',
  attempts: 1,
  conditions: [
    {
      type: 'Succeeded',
      status: 'Unknown',
      reason: 'Running',
      message: '',
      lastTransitionTime: now,
    },
    {
      type: 'Dispatched',
      status: 'True',
      reason: 'Dispatched',
      message: '',
      lastTransitionTime: now,
    },
  ],
};
const complete: TaskStatus = {
  ...running,
  phase: 'Complete',
  exitCode: 0,
  reason: 'Completed',
  conditions: [
    {
      type: 'Succeeded',
      status: 'True',
      reason: 'Completed',
      message: '',
      lastTransitionTime: now,
    },
    ...(running.conditions ?? []).slice(1),
  ],
};

describe('StatusWriter against the local control plane', () => {
  let h: Harness;
  let ns: string;
  let conflicts = 0;

  beforeAll(async () => {
    h = await startHarness();
    ns = await freshNamespace(h);
  });
  afterEach(() => {
    h.cluster.faults.clear();
    conflicts = 0;
  });
  afterAll(async () => {
    await h.close();
  });

  function writer(extra: Partial<StatusWriterOptions> = {}): StatusWriter {
    return new StatusWriter({
      kubeConfig: h.kc,
      logger: h.logger,
      onConflict: () => {
        conflicts += 1;
      },
      ...extra,
    });
  }

  it('writes the first status of a Task that has none', async () => {
    const task = await createTask(h, ns, 'first');
    expect(task.status).toBeUndefined();
    const result = await writer().write(task, { phase: 'Pending', reason: 'NoCapacity' });
    expect(result.outcome).toBe('written');
    expect((await getTask(h, ns, 'first')).status).toEqual({
      phase: 'Pending',
      reason: 'NoCapacity',
    });
  });

  it('sends nothing when the status is unchanged', async () => {
    const task = await createTask(h, ns, 'same');
    const first = await writer().write(task, running);
    if (first.outcome !== 'written') throw new Error(first.outcome);
    const before = h.cluster.store.currentRv;
    const again = await writer().write(first.task, structuredClone(running));
    expect(again.outcome).toBe('unchanged');
    expect(h.cluster.store.currentRv).toBe(before);
  });

  it('removes fields the desired status drops and replaces the conditions list whole', async () => {
    const task = await createTask(h, ns, 'replace');
    const first = await writer().write(task, { ...running, reason: 'Dispatched' });
    if (first.outcome !== 'written') throw new Error(first.outcome);
    const result = await writer().write(first.task, complete);
    expect(result.outcome).toBe('written');
    expect((await getTask(h, ns, 'replace')).status).toEqual(complete);
  });

  it('re-reads and retries when the object changed under it (409)', async () => {
    const task = await createTask(h, ns, 'stale');
    await labelTask(h, ns, 'stale', { moved: 'yes' }); // our copy is now stale
    const result = await writer().write(task, running);
    expect(result.outcome).toBe('written');
    expect(conflicts).toBe(1);
    const stored = await getTask(h, ns, 'stale');
    expect(stored.status?.phase).toBe('Running');
    expect(stored.metadata?.labels).toEqual({ moved: 'yes' });
  });

  it('retries injected 409s and gives up with a typed error when they never stop', async () => {
    const task = await createTask(h, ns, 'conflicted');
    const match = {
      verb: 'patch',
      resource: 'tasks',
      subresource: 'status',
      name: 'conflicted',
    } as const;
    h.cluster.faults.failNext({ ...match, code: 409, count: 2 });
    expect((await writer().write(task, running)).outcome).toBe('written');
    expect(conflicts).toBe(2);

    h.cluster.faults.failNext({ ...match, code: 409, count: 100 });
    await expect(writer({ maxConflictAttempts: 3 }).write(task, complete)).rejects.toBeInstanceOf(
      ConflictRetriesExhaustedError,
    );
  });

  it('retries a 500 and surfaces a lasting one as KubeApiError', async () => {
    const task = await createTask(h, ns, 'flaky');
    const match = {
      verb: 'patch',
      resource: 'tasks',
      subresource: 'status',
      name: 'flaky',
    } as const;
    h.cluster.faults.failNext({ ...match, code: 500, count: 1 });
    expect((await writer().write(task, running)).outcome).toBe('written');

    h.cluster.faults.failNext({ ...match, code: 500, count: 100 });
    const fresh = await getTask(h, ns, 'flaky');
    const err: unknown = await writer()
      .write(fresh, complete)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).code).toBe(500);
  });

  it('never moves a terminal phase, even from a stale copy that shows it running', async () => {
    const task = await createTask(h, ns, 'terminal');
    const first = await writer().write(task, running);
    if (first.outcome !== 'written') throw new Error(first.outcome);
    expect((await writer().write(first.task, complete)).outcome).toBe('written');
    // A late report arrives computed from the Running copy.
    const late = await writer().write(first.task, { ...running, attempts: 2 });
    expect(late.outcome).toBe('terminal');
    expect((await getTask(h, ns, 'terminal')).status?.phase).toBe('Complete');
  });

  it('returns quietly when the Task is gone', async () => {
    const task = await createTask(h, ns, 'gone');
    await deleteTask(h, ns, 'gone');
    expect((await writer().write(task, running)).outcome).toBe('gone');
  });

  it('refuses to write when it may not (not the leader)', async () => {
    const task = await createTask(h, ns, 'deposed');
    const before = h.cluster.store.currentRv;
    await expect(writer({ canWrite: () => false }).write(task, running)).rejects.toBeInstanceOf(
      NotLeaderError,
    );
    expect(h.cluster.store.currentRv).toBe(before);
  });
});
