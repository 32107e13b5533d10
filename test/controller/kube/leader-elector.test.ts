import {
  CoordinationV1Api,
  V1Lease,
  V1LeaseSpec,
  V1MicroTime,
  V1ObjectMeta,
} from '@kubernetes/client-node';

import { KubeOptionError } from '../../../src/controller/kube/errors.js';
import { LeaderElector } from '../../../src/controller/kube/leader-elector.js';
import { setLeaderLabel } from '../../../src/controller/kube/leader-label.js';
import { freshNamespace, startHarness, waitFor } from './harness.js';
import type { Harness } from './harness.js';

interface Candidate {
  elector: LeaderElector;
  started: number;
  stopped: number;
}

describe('LeaderElector against the local control plane', () => {
  let h: Harness;
  let candidates: Candidate[] = [];

  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    h.cluster.faults.clear();
    await Promise.all(candidates.map((c) => c.elector.release()));
    candidates = [];
  });
  afterAll(async () => {
    await h.close();
  });

  function candidate(namespace: string, identity: string): Candidate {
    const c: Candidate = { elector: undefined as unknown as LeaderElector, started: 0, stopped: 0 };
    c.elector = new LeaderElector({
      kubeConfig: h.kc,
      logger: h.logger,
      namespace,
      leaseName: 'task-router-controller',
      identity,
      leaseDurationMs: 2000,
      renewDeadlineMs: 1500,
      renewIntervalMs: 200,
      onStartedLeading: () => (c.started += 1),
      onStoppedLeading: () => (c.stopped += 1),
    });
    candidates.push(c);
    return c;
  }

  it('elects exactly one of two candidates and hands over at once on release', async () => {
    const ns = await freshNamespace(h);
    const a = candidate(ns, 'a');
    const b = candidate(ns, 'b');
    a.elector.start();
    await waitFor('a leads', () => a.elector.isLeader());
    b.elector.start();
    await waitFor('b sees a', () => b.elector.currentLeader() === 'a');
    expect(b.elector.isLeader()).toBe(false);

    await a.elector.release();
    expect(a.elector.isLeader()).toBe(false);
    expect(a.stopped).toBe(1);
    // Well inside the 2 s lease duration: b took a released lease, not an expired one.
    await waitFor('b leads', () => b.elector.isLeader(), 1500);
    const lease = await h.kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'task-router-controller', namespace: ns });
    expect(lease.spec?.holderIdentity).toBe('b');
    expect(lease.spec?.leaseTransitions).toBe(1);
  });

  it('steps a partitioned leader down by its renew deadline, and never has two leaders', async () => {
    const ns = await freshNamespace(h);
    const a = candidate(ns, 'a');
    const b = candidate(ns, 'b');
    a.elector.start();
    await waitFor('a leads', () => a.elector.isLeader());
    b.elector.start();
    await waitFor('b sees a', () => b.elector.currentLeader() === 'a');

    let both = false;
    const sampler = setInterval(() => {
      if (a.elector.isLeader() && b.elector.isLeader()) both = true;
    }, 10);
    try {
      h.cluster.faults.failNext({
        verb: 'update',
        resource: 'leases',
        namespace: ns,
        code: 500,
        count: 1_000_000,
      });
      await waitFor('a steps down', () => a.stopped === 1, 3000);
      expect(a.elector.isLeader()).toBe(false);
      h.cluster.faults.clear();
      await waitFor(
        'someone leads again',
        () => a.elector.isLeader() || b.elector.isLeader(),
        5000,
      );
    } finally {
      clearInterval(sampler);
    }
    expect(both).toBe(false);
  });

  it('takes over an abandoned lease only after it stopped changing for the lease duration', async () => {
    const ns = await freshNamespace(h);
    const api = h.kc.makeApiClient(CoordinationV1Api);
    // A holder that renewed "an hour from now" by its own clock, then vanished.
    const ghost = new V1Lease();
    ghost.metadata = Object.assign(new V1ObjectMeta(), { name: 'task-router-controller' });
    ghost.spec = Object.assign(new V1LeaseSpec(), {
      holderIdentity: 'ghost',
      leaseDurationSeconds: 2,
      renewTime: new V1MicroTime(Date.now() + 3_600_000),
    });
    await api.createNamespacedLease({ namespace: ns, body: ghost });
    const b = candidate(ns, 'b');
    b.elector.start();
    await waitFor('b sees ghost', () => b.elector.currentLeader() === 'ghost');
    expect(b.elector.isLeader()).toBe(false);
    await waitFor('b takes over', () => b.elector.isLeader(), 5000);
    expect(b.started).toBe(1);
  });

  it('refuses a renew deadline not shorter than the lease duration, naming the field', () => {
    expect(
      () =>
        new LeaderElector({
          kubeConfig: h.kc,
          logger: h.logger,
          namespace: 'default',
          leaseName: 'x',
          identity: 'a',
          leaseDurationMs: 1000,
          renewDeadlineMs: 1000,
          renewIntervalMs: 100,
        }),
    ).toThrow(KubeOptionError);
  });

  it('leaves the pod label alone, with a log, when not running in a pod', async () => {
    expect(await setLeaderLabel(h.kc, {}, true, h.logger)).toBe(false);
  });
});
