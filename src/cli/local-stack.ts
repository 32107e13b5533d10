import type { Logger } from 'pino';
import { Agent } from '../agent/index.js';
import { Controller } from '../controller/controller.js';
import { loadKubeConfig } from '../controller/kube/index.js';

/** A controller and agents running beside the local control plane, in this process. */
export interface LocalStack {
  readonly principal: string;
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
): Promise<LocalStack> {
  const controller = new Controller({
    kubeConfig: loadKubeConfig({ kubeconfigYaml: kubeConfigYaml }),
    logger: logger.child({ role: 'controller' }),
    principalListen: 'tcp://127.0.0.1:0',
    timings: { settleMs: 500 },
  });
  await controller.start();
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
    agents,
    async stop() {
      await Promise.all(agents.map((a) => a.stop(2000, 500)));
      await controller.stop();
    },
  };
}
