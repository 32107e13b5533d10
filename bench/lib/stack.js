// The whole product in this process, on loopback: the local control plane, a controller and
// agents, as `task-router local --agents N` runs them, plus counters the benchmarks read.
import { setTimeout } from 'node:timers';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Agent } from '../../dist/agent/index.js';
import { Controller } from '../../dist/controller/controller.js';
import { loadKubeConfig } from '../../dist/controller/kube/index.js';
import { startLocalCluster } from '../../dist/localcluster/index.js';

export const TASKS_KEY = 'taskrouter.io/tasks';

/**
 * Starts the stack. `writes` counts calls to the Task resource by verb and subresource: the
 * local control plane consults its fault rules once for every call it serves, so wrapping that
 * one method counts every PATCH of /status, answered or refused, without changing the server.
 * `stored/status` counts the changes of status that reached the store.
 */
export async function startStack({ agents = 2, slots = 4, queueLength = 8 } = {}) {
  const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
  const cluster = await startLocalCluster({ port: 0 });
  const writes = new Map();
  const check = cluster.faults.check.bind(cluster.faults);
  cluster.faults.check = (call) => {
    if (call.resource === 'tasks' && call.verb !== 'get' && call.verb !== 'list') {
      const key = `${call.verb}${call.subresource === '' ? '' : `/${call.subresource}`}`;
      writes.set(key, (writes.get(key) ?? 0) + 1);
    }
    return check(call);
  };
  // Status writes that changed the stored object, to tell them from refused or no-op calls.
  cluster.store.subscribe(TASKS_KEY, (e) => {
    if (e.type !== 'MODIFIED') return;
    if (JSON.stringify(e.previous?.status) === JSON.stringify(e.object.status)) return;
    writes.set('stored/status', (writes.get('stored/status') ?? 0) + 1);
  });
  const kubeConfig = loadKubeConfig({ kubeconfigYaml: cluster.kubeConfigYaml });
  const controller = new Controller({
    kubeConfig,
    logger,
    principalListen: 'tcp://127.0.0.1:0',
    // Dispatch soon after start; the default waits 3 s for agents to re-register.
    timings: { settleMs: 300 },
    workers: Number(process.env.BENCH_WORKERS ?? 4),
  });
  await controller.start();
  const started = [];
  for (let i = 0; i < agents; i++) {
    const agent = new Agent({
      listen: 'tcp://127.0.0.1:0',
      principal: controller.principalEndpoint,
      instanceId: `bench-agent-${i}`,
      slots,
      queueLength,
      cpuMillis: 0,
      memoryBytes: 0,
      labels: {},
      executors: ['PROCESS', 'SHELL'],
      logger,
    });
    await agent.start();
    started.push(agent);
  }
  while (controller.snapshot().agents < agents) await new Promise((r) => setTimeout(r, 20));
  // Past the settle window, so the first Task is dispatched at once.
  await new Promise((r) => setTimeout(r, 400));
  return {
    cluster,
    api: kubeConfig.makeApiClient(CustomObjectsApi),
    controller,
    agents: started,
    writes,
    async stop() {
      await Promise.all(started.map((a) => a.stop(2000, 500)));
      await controller.stop();
      await cluster.close();
    },
  };
}
