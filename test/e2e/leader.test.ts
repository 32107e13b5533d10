import { pino } from 'pino';
import { RequestClient } from '../../src/agent/request-client.js';
import { Controller } from '../../src/controller/controller.js';
import { loadKubeConfig } from '../../src/controller/kube/index.js';
import { startLocalCluster } from '../../src/localcluster/index.js';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { TEST_TIMINGS, waitFor } from './stack.js';
import { freePort } from '../free-port.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('leader election between two controller replicas', () => {
  let cluster: LocalCluster;
  const controllers: Controller[] = [];
  const clients: RequestClient[] = [];

  afterEach(async () => {
    for (const c of clients) c.close();
    await Promise.all(controllers.map((c) => c.stop()));
    await cluster.close();
  });

  it('has one leader, redirects agents that reach the standby, and hands over on stop', async () => {
    cluster = await startLocalCluster({ port: 0 });
    const kubeConfig = loadKubeConfig({ kubeconfigYaml: cluster.kubeConfigYaml });
    const replica = async (name: string): Promise<{ controller: Controller; endpoint: string }> => {
      const endpoint = `tcp://127.0.0.1:${await freePort()}`;
      const controller = new Controller({
        kubeConfig,
        logger: logger.child({ replica: name }),
        principalListen: endpoint,
        timings: TEST_TIMINGS,
        leaderElection: {
          namespace: 'default',
          leaseName: 'task-router-controller',
          identity: `${name}@${endpoint}`,
          // Far longer than the test waits: a takeover can only come from a released Lease.
          leaseDurationMs: 60_000,
          renewDeadlineMs: 40_000,
          renewIntervalMs: 300,
        },
      });
      await controller.start();
      controllers.push(controller);
      return { controller, endpoint };
    };
    const a = await replica('a');
    await waitFor(() => Promise.resolve(a.controller.isLeader() || undefined), 'a to lead');
    const b = await replica('b');
    // b is Ready (its cache synced) though it does not lead.
    await waitFor(() => Promise.resolve(b.controller.isReady() || undefined), 'b to be ready');
    expect(b.controller.isLeader()).toBe(false);

    const toStandby = new RequestClient({ endpoint: b.endpoint, logger, deadlineMs: 2000 });
    clients.push(toStandby);
    // The standby learns who leads at its first look at the Lease; until then it still
    // redirects, with no endpoint to give.
    const reply = await waitFor(async () => {
      const r = await toStandby.request({
        verb: 'REGISTER',
        instanceId: 'lost-agent',
        endpoint: 'tcp://127.0.0.1:1',
        capacity: { slots: 1, cpuMillis: 0, memoryBytes: 0, queueLength: 0 },
        executors: ['PROCESS'],
        labels: {},
        held: [],
      });
      expect(r).toMatchObject({ kind: 'ERROR', code: 'REDIRECT' });
      return r.kind === 'ERROR' && r.detail !== '' ? r : undefined;
    }, 'the standby to name the leader');
    expect(reply).toMatchObject({ kind: 'ERROR', code: 'REDIRECT', detail: a.endpoint });

    await a.controller.stop();
    await waitFor(
      () => Promise.resolve(b.controller.isLeader() || undefined),
      'b to take over',
      10_000,
    );
  });
});
