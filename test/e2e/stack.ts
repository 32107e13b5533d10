import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Agent } from '../../src/agent/index.js';
import { startAgent } from '../agent/helpers.js';
import type { AgentOptions } from '../../src/agent/index.js';
import { Controller } from '../../src/controller/controller.js';
import type { ControllerOptions } from '../../src/controller/controller.js';
import { loadKubeConfig } from '../../src/controller/kube/index.js';
import { startLocalCluster } from '../../src/localcluster/index.js';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { toolPath } from '../../scripts/tools.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/task-router.js', import.meta.url).pathname;

/** Absolute path of a file in test/fixtures/. */
export const fixture = (name: string): string =>
  new URL(`../fixtures/${name}`, import.meta.url).pathname;

/**
 * Counts in `runs` every attempt (`uid#attempt`) `agent` accepts to run, by wrapping its Task
 * Manager's submit: an observation only, the real Task Manager still does all the work.
 */
export function countAcceptedRuns(agent: Agent, runs: Map<string, number>): void {
  const submit = agent.tasks.submit.bind(agent.tasks);
  agent.tasks.submit = (task) => {
    const outcome = submit(task);
    const key = `${task.uid}#${task.attempt}`;
    if (outcome === 'accepted') runs.set(key, (runs.get(key) ?? 0) + 1);
    return outcome;
  };
}

/** `kubectl apply`s a fixture in `ns`, then `kubectl wait`s until Task `name` has Succeeded. */
export async function applyUntilSucceeded(
  stack: Stack,
  ns: string,
  file: string,
  name: string,
): Promise<void> {
  await stack.kubectl('-n', ns, 'apply', '-f', fixture(file));
  await stack.kubectl(
    '-n',
    ns,
    'wait',
    '--for=condition=Succeeded',
    `task/${name}`,
    '--timeout=20s',
  );
}

/** Polls `probe` every 100 ms until it gives a value; throws naming `what` after the timeout. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The whole product on loopback: a local control plane, a controller and agents. */
export interface Stack {
  cluster: LocalCluster;
  kc: KubeConfig;
  logger: Logger;
  controller: Controller;
  agents: Agent[];
  kubectl(...args: string[]): Promise<string>;
  /** `kubectl apply` of one object given as JSON. */
  apply(manifest: object): Promise<void>;
  /** Starts `task-router agent` as its own process (from the built dist/), for kill tests. */
  spawnAgent(args: string[]): ChildProcess;
  /** Creates a namespace through kubectl and returns its name. */
  namespace(name: string): Promise<string>;
  addAgent(options: Partial<AgentOptions> & { instanceId: string }): Promise<Agent>;
  startController(options?: Partial<ControllerOptions>): Promise<Controller>;
  close(): Promise<void>;
}

/** Fast timings so tests see retries, losses and settling within seconds. */
export const TEST_TIMINGS = {
  settleMs: 300,
  dispatchTimeoutMs: 1000,
  inDoubtGraceMs: 1000,
  cancelTimeoutMs: 3000,
  retryBaseMs: 200,
  retryMaxMs: 1000,
};

export async function startStack(
  controllerOptions: Partial<ControllerOptions> = {},
): Promise<Stack> {
  const cluster = await startLocalCluster({ port: 0 });
  const kc = loadKubeConfig({ kubeconfigYaml: cluster.kubeConfigYaml });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const kubectlBin = toolPath('kubectl');
  const agents: Agent[] = [];
  const children: ChildProcess[] = [];
  const stack: Stack = {
    cluster,
    kc,
    logger,
    controller: undefined as unknown as Controller,
    agents,
    async kubectl(...args) {
      const { stdout } = await run(kubectlBin, ['--kubeconfig', cluster.kubeconfigPath, ...args], {
        maxBuffer: 16 << 20,
      });
      return stdout;
    },
    async apply(manifest) {
      const child = execFile(kubectlBin, [
        '--kubeconfig',
        cluster.kubeconfigPath,
        'apply',
        '-f',
        '-',
      ]);
      child.stdin?.end(JSON.stringify(manifest));
      await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => {
          if (code === 0) resolve();
          else reject(new Error(`kubectl apply exited ${String(code)}`));
        });
      });
    },
    async namespace(name) {
      // `kubectl create namespace` sends protobuf, which the local plane does not read; an
      // applied manifest travels as JSON.
      await stack.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
    spawnAgent(args) {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'agent',
          '--listen',
          'tcp://127.0.0.1:0',
          '--principal',
          stack.controller.principalEndpoint,
          ...args,
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      return child;
    },
    async startController(options = {}) {
      const controller = new Controller({
        kubeConfig: kc,
        logger: logger.child({ role: 'controller' }),
        principalListen: 'tcp://127.0.0.1:0',
        agentTimeoutMs: 2000,
        watchIdleTimeoutMs: 5000,
        ...controllerOptions,
        ...options,
        timings: { ...TEST_TIMINGS, ...controllerOptions.timings, ...options.timings },
      });
      await controller.start();
      stack.controller = controller;
      return controller;
    },
    async addAgent(options) {
      const agent = await startAgent(stack.controller.principalEndpoint, {
        heartbeatIntervalMs: 300,
        logger: logger.child({ role: 'agent', agent: options.instanceId }),
        ...options,
      });
      agents.push(agent);
      return agent;
    },
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(agents.map((a) => a.stop()));
      await stack.controller.stop();
      await cluster.close();
    },
  };
  await stack.startController();
  return stack;
}
