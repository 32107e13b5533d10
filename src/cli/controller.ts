import { hostname } from 'node:os';
import type { Command } from 'commander';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Controller } from '../controller/controller.js';
import {
  controllerFlagsWithEnv,
  readControllerConfig,
  type ControllerFlags,
} from '../controller/config.js';
import { loadKubeConfig, podIdentityFromEnv, setLeaderLabel } from '../controller/kube/index.js';
import { engineMetrics, publishGauges } from '../controller/metrics-bridge.js';
import { createMetrics, startProbeServer, workQueueSink } from '../metrics/index.js';

/** `task-router controller`: routes Tasks to agents; one leader among its replicas. */
export function registerController(program: Command): void {
  program
    .command('controller')
    .description(
      'Run the controller. Each option also reads TASK_ROUTER_CONTROLLER_<NAME> (dashes as _).',
    )
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG, else in-cluster)')
    .option('--namespace <ns>', 'watch Tasks in one namespace only (default: all)')
    .option(
      '--principal-listen <endpoint>',
      'ZeroMQ endpoint for agents (default tcp://0.0.0.0:5700)',
    )
    .option('--principal-advertise <endpoint>', 'endpoint agents are told to use (REDIRECT)')
    .option('--metrics-address <host:port>', '/metrics, /healthz, /readyz (default 0.0.0.0:8080)')
    .option('--leader-elect <bool>', 'elect a leader on a Lease (default true)')
    .option('--lease-name <name>', 'Lease name (default task-router-controller)')
    .option('--lease-namespace <ns>', 'Lease namespace (default: POD_NAMESPACE, else default)')
    .option('--agent-timeout-seconds <n>', 'an agent silent this long is lost (default 10)')
    .option('--dispatch-timeout-seconds <n>', 'deadline of one RUNTASK (default 2)')
    .option('--workers <n>', 'parallel reconciles (default 4)')
    .option('--curve-secret-key <z85>', "the controller's CURVE secret key")
    .option('--curve-public-key <z85>', "the controller's CURVE public key")
    .option('--agent-public-key <z85>', "the agents' CURVE public key; the only one let in")
    .option('--curve-secret-key-file <file>', 'read --curve-secret-key from a file')
    .option('--curve-public-key-file <file>', 'read --curve-public-key from a file')
    .option('--agent-public-key-file <file>', 'read --agent-public-key from a file')
    .option('--insecure', 'allow a non-loopback --principal-listen without CURVE keys')
    .action(async (flags: ControllerFlags) => {
      const env = process.env;
      const pod = podIdentityFromEnv(env);
      const config = readControllerConfig(controllerFlagsWithEnv(flags, env), {
        name: env.POD_NAME ?? hostname(),
        namespace: env.POD_NAMESPACE,
      });
      const logger = pino({ level: env.LOG_LEVEL ?? 'info' });
      const kubeConfig = loadKubeConfig(
        config.kubeconfig !== undefined
          ? { kubeconfigPath: config.kubeconfig }
          : env.KUBECONFIG !== undefined
            ? { kubeconfigPath: env.KUBECONFIG }
            : { inCluster: true },
      );
      const metrics = createMetrics(new Registry());
      const advertise = config.principalAdvertise ?? config.principalListen;
      const controller = new Controller({
        kubeConfig,
        logger,
        ...(config.namespace !== undefined ? { namespace: config.namespace } : {}),
        principalListen: config.principalListen,
        principalAdvertise: advertise,
        agentTimeoutMs: config.agentTimeoutMs,
        workers: config.workers,
        ...(config.curve !== undefined ? { curve: config.curve } : {}),
        timings: { dispatchTimeoutMs: config.dispatchTimeoutMs },
        metrics: engineMetrics(metrics),
        queueMetrics: workQueueSink(metrics, 'task'),
        ...(config.leaderElect
          ? {
              leaderElection: {
                namespace: config.leaseNamespace,
                leaseName: config.leaseName,
                identity: `${config.identity}@${advertise}`,
              },
            }
          : {}),
        onLeadershipChange: (leading) => {
          metrics.leader.set(leading ? 1 : 0);
          void setLeaderLabel(kubeConfig, pod, leading, logger);
        },
      });
      const probes = await startProbeServer({
        port: config.metricsPort,
        host: config.metricsHost,
        registry: metrics.registry,
        isHealthy: () => true,
        isReady: () => controller.isReady(),
        logger,
      });
      const stopGauges = publishGauges(controller, metrics);
      await controller.start();
      const sig = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      logger.info({ signal: sig }, 'stopping: releasing the Lease and draining');
      stopGauges();
      await controller.stop();
      await probes.close();
      logger.info('controller stopped');
    });
}
