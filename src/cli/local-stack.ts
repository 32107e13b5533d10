import type { Logger } from 'pino';
import { Agent } from '../agent/index.js';
import { Controller } from '../controller/controller.js';
import { loadKubeConfig } from '../controller/kube/index.js';
import { engineMetrics, publishGauges } from '../controller/metrics-bridge.js';
import { createMetrics, startProbeServer, workQueueSink } from '../metrics/index.js';
import { Registry } from 'prom-client';

/** A controller and agents running beside the local control plane, in this process. */
export interface LocalStack {
  readonly principal: string;
  /** `http://127.0.0.1:PORT` serving /metrics, /healthz and /readyz, when asked for. */
  readonly metricsUrl: string | undefined;
  readonly agents: readonly Agent[];
  stop(): Promise<void>;
}

/**
 * Starts a controller (no leader election: it is alone) and `count` agents on loopback. Agents
 * differ so selectors and queueing show: odd ones are `size=small` with 1 slot and a queue of 2,
 * even ones `size=large` with 4 slots and a queue of 8.
 */
export async function startLocalStack(
  kubeConfigYaml: string,
  count: number,
  logger: Logger,
  metricsPort?: number,
): Promise<LocalStack> {
  const metrics = createMetrics(new Registry());
  const controller = new Controller({
    kubeConfig: loadKubeConfig({ kubeconfigYaml: kubeConfigYaml }),
    logger: logger.child({ role: 'controller' }),
    principalListen: 'tcp://127.0.0.1:0',
    timings: { settleMs: 500 },
    // It campaigns like any controller, so a second one (`make run` against this plane) waits
    // as a standby instead of routing beside it.
    leaderElection: {
      namespace: 'default',
      leaseName: 'task-router-controller',
      identity: `local-${process.pid}`,
    },
    metrics: engineMetrics(metrics),
    queueMetrics: workQueueSink(metrics, 'task'),
    onLeadershipChange: (leading) => {
      metrics.leader.set(leading ? 1 : 0);
    },
  });
  await controller.start();
  // Agents that register before the Lease is won are redirected and retry; wait instead.
  for (let waited = 0; !controller.isLeader(); waited += 50) {
    if (waited > 15_000) throw new Error('the local controller did not win its Lease within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const probes =
    metricsPort === undefined
      ? undefined
      : await startProbeServer({
          port: metricsPort,
          host: '127.0.0.1',
          registry: metrics.registry,
          isHealthy: () => true,
          isReady: () => controller.isReady(),
          logger,
        });
  const stopGauges = publishGauges(controller, metrics);
  const agents: Agent[] = [];
  for (let i = 1; i <= count; i++) {
    const large = i % 2 === 0;
    const agent = new Agent({
      listen: 'tcp://127.0.0.1:0',
      principal: controller.principalEndpoint,
      instanceId: `local-agent-${i}`,
      slots: large ? 4 : 1,
      queueLength: large ? 8 : 2,
      cpuMillis: 0,
      memoryBytes: 0,
      labels: { size: large ? 'large' : 'small' },
      executors: ['PROCESS', 'SHELL'],
      logger: logger.child({ role: 'agent', agent: `local-agent-${i}` }),
    });
    await agent.start();
    agents.push(agent);
  }
  return {
    principal: controller.principalEndpoint,
    metricsUrl: probes === undefined ? undefined : `http://127.0.0.1:${probes.port}`,
    agents,
    async stop() {
      stopGauges();
      await Promise.all(agents.map((a) => a.stop(2000, 500)));
      await controller.stop();
      await probes?.close();
    },
  };
}
