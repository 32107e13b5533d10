import type { Command } from 'commander';
import { pino } from 'pino';
import { Agent, DEFAULT_TASK_NICE } from '../agent/index.js';
import { defaultInstanceId, readAgentConfig, withEnv, type AgentFlags } from '../agent/config.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `task-router agent`: serves RUNTASK on --listen and reports to --principal. */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'Run an agent that takes tasks over ZeroMQ. Each option also reads TASK_ROUTER_AGENT_<NAME>.',
    )
    .option(
      '--listen <endpoint>',
      'tcp://HOST:PORT to bind; port 0 or * picks one (default tcp://127.0.0.1:5701)',
    )
    .option(
      '--advertise <endpoint>',
      'tcp://HOST:PORT the principal should dial (default: the bound one)',
    )
    .option('--principal <endpoint>', "the controller's principal endpoint, tcp://HOST:PORT")
    .option('--instance-id <id>', 'unique agent id (default: POD_NAME, else <host name>-<pid>)')
    .option('--slots <n>', 'tasks run at once (default 4)')
    .option('--queue <n>', 'tasks that may wait for a slot (default 16)')
    .option('--cpu <quantity>', 'CPU offered, Kubernetes quantity (e.g. 2 or 500m)')
    .option('--memory <quantity>', 'memory offered, Kubernetes quantity (e.g. 1Gi)')
    .option('--label <key=value>', 'agent label; repeatable', collect, [])
    .option('--executors <list>', 'comma-separated: PROCESS, SHELL (default PROCESS)')
    .option('--curve-secret-key <z85>', "this agent's CURVE secret key")
    .option('--curve-public-key <z85>', "this agent's CURVE public key")
    .option(
      '--principal-public-key <z85>',
      "the principal's CURVE public key; the only client let in",
    )
    .option('--curve-secret-key-file <file>', 'read --curve-secret-key from a file')
    .option('--curve-public-key-file <file>', 'read --curve-public-key from a file')
    .option('--principal-public-key-file <file>', 'read --principal-public-key from a file')
    .option(
      '--drain-grace-seconds <n>',
      'on SIGTERM, how long running tasks may finish (default 10)',
    )
    .option(
      '--task-nice <n>',
      `how much nicer than the agent tasks run, 0-19, so the agent stays quick to answer (default ${DEFAULT_TASK_NICE})`,
    )
    .option('--insecure', 'allow a non-loopback --listen without CURVE keys')
    .action(async (flags: AgentFlags) => {
      const env = process.env;
      const config = readAgentConfig(withEnv(flags, env), defaultInstanceId(env));
      const logger = pino({ level: env.LOG_LEVEL ?? 'info' });
      // Tasks must not inherit the agent's own settings, which may hold its secret key.
      const baseEnv = Object.fromEntries(
        Object.entries(env).filter(
          (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('TASK_ROUTER_'),
        ),
      );
      const agent = new Agent({ ...config, executor: { baseEnv }, logger });
      await agent.start();
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          logger.info({ graceMs: config.drainGraceMs }, 'draining');
          void agent.stop(config.drainGraceMs).then(resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      logger.info('agent stopped');
    });
}
