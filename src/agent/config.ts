import { hostname } from 'node:os';
import { LOOPBACK_ENDPOINT, readCurveKey } from '../config/curve-keys.js';
import { parseCpuMillis, parseMemoryBytes } from '../api/quantity.js';
import { EXECUTORS } from '../protocol/index.js';
import type { AgentOptions } from './agent.js';
import { DEFAULT_TASK_NICE, MAX_NICE } from './niceness.js';
import { endpointProblem, type EndpointRule } from './endpoint.js';

/** A bad option; the message names it, what was expected and what came. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

/** Raw option values as commander gives them (strings, or string lists for --label). */
export interface AgentFlags {
  listen?: string;
  advertise?: string;
  principal?: string;
  instanceId?: string;
  slots?: string;
  queue?: string;
  cpu?: string;
  memory?: string;
  label?: string[];
  executors?: string;
  curveSecretKey?: string;
  curvePublicKey?: string;
  principalPublicKey?: string;
  curveSecretKeyFile?: string;
  curvePublicKeyFile?: string;
  principalPublicKeyFile?: string;
  insecure?: boolean;
  drainGraceSeconds?: string;
  taskNice?: string;
}

/**
 * What the command line settles: the agent's own options (minus what the CLI adds itself) plus
 * the start-up policy.
 */
export type AgentConfig = Omit<AgentOptions, 'heartbeatIntervalMs' | 'executor' | 'logger'> & {
  readonly insecure: boolean;
  /** How long running tasks may finish after SIGTERM, in milliseconds; default 10000. */
  readonly drainGraceMs: number;
};

/** Environment variable for each option, e.g. `--queue` from TASK_ROUTER_AGENT_QUEUE. */
export const ENV_PREFIX = 'TASK_ROUTER_AGENT_';
const envName = (flag: keyof AgentFlags): string =>
  ENV_PREFIX + flag.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

function positive(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || !Number.isSafeInteger(value)) {
    throw new AgentConfigError(`--${name}: expected an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

/** How much nicer than the agent its tasks run: 0 (the same priority) to 19. */
function niceness(raw: string): number {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value > MAX_NICE) {
    throw new AgentConfigError(
      `--task-nice: expected an integer from 0 to ${MAX_NICE}, got "${raw}"`,
    );
  }
  return value;
}

function endpoint(option: string, raw: string, rule: EndpointRule): string {
  const problem = endpointProblem(option, raw, rule);
  if (problem !== undefined) throw new AgentConfigError(problem);
  return raw;
}

/**
 * The instance id when --instance-id is not given: POD_NAME in a pod (unique per pod), else
 * `<host name>-<pid>`, so two agents on one machine do not take each other's place.
 */
export function defaultInstanceId(
  env: NodeJS.ProcessEnv,
  host: string = hostname(),
  pid: number = process.pid,
): string {
  const pod = env.POD_NAME ?? '';
  return pod !== '' ? pod : `${host}-${pid}`;
}

function key(
  flags: AgentFlags,
  name: 'curveSecretKey' | 'curvePublicKey' | 'principalPublicKey',
): string | undefined {
  const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return readCurveKey(flag, flags[name], flags[`${name}File`], (m) => new AgentConfigError(m));
}

/** Fills each unset flag from its environment variable. */
export function withEnv(flags: AgentFlags, env: NodeJS.ProcessEnv): AgentFlags {
  const out: AgentFlags = { ...flags };
  const names: (keyof AgentFlags)[] = [
    'listen',
    'advertise',
    'principal',
    'instanceId',
    'slots',
    'queue',
    'cpu',
    'memory',
    'executors',
    'curveSecretKey',
    'curvePublicKey',
    'principalPublicKey',
    'curveSecretKeyFile',
    'curvePublicKeyFile',
    'principalPublicKeyFile',
    'drainGraceSeconds',
    'taskNice',
  ];
  const record = out as Record<string, unknown>;
  for (const name of names) record[name] ??= env[envName(name)];
  if ((out.label ?? []).length === 0 && env[envName('label')] !== undefined) {
    out.label = (env[envName('label')] ?? '').split(',').filter((l) => l !== '');
  }
  out.insecure ??= env[envName('insecure')] === 'true';
  return out;
}

/** Where the agent listens, what it advertises, whom it reports to, and under which id. */
function identity(
  flags: AgentFlags,
  fallbackInstanceId: string,
): Pick<AgentConfig, 'listen' | 'advertise' | 'principal' | 'instanceId'> {
  const connect = { bind: false };
  const instanceId = flags.instanceId ?? fallbackInstanceId;
  if (instanceId.trim() === '') {
    throw new AgentConfigError(
      `--instance-id: expected a non-empty id, got ${JSON.stringify(instanceId)}`,
    );
  }
  return {
    listen: endpoint('--listen', flags.listen ?? 'tcp://127.0.0.1:5701', { bind: true }),
    advertise:
      flags.advertise === undefined ? undefined : endpoint('--advertise', flags.advertise, connect),
    principal:
      flags.principal === undefined ? undefined : endpoint('--principal', flags.principal, connect),
    instanceId,
  };
}

/** Reads flags (already merged with env by `withEnv`) into a frozen, validated config. */
export function readAgentConfig(flags: AgentFlags, fallbackInstanceId: string): AgentConfig {
  const { listen, advertise, principal, instanceId } = identity(flags, fallbackInstanceId);
  const labels: Record<string, string> = {};
  for (const pair of flags.label ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new AgentConfigError(`--label: expected key=value, got "${pair}"`);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const executors = (flags.executors ?? 'PROCESS').split(',').map((e) => {
    const found = EXECUTORS.find((x) => x === e.trim().toUpperCase());
    if (found === undefined)
      throw new AgentConfigError(
        `--executors: expected a list of ${EXECUTORS.join(', ')}, got "${e}"`,
      );
    return found;
  });
  const secretKey = key(flags, 'curveSecretKey');
  const publicKey = key(flags, 'curvePublicKey');
  const principalKey = key(flags, 'principalPublicKey');
  if ((secretKey === undefined) !== (publicKey === undefined)) {
    throw new AgentConfigError(
      '--curve-secret-key and --curve-public-key: expected both or neither, got one',
    );
  }
  const insecure = flags.insecure === true;
  if (secretKey === undefined && !insecure && !LOOPBACK_ENDPOINT.test(listen)) {
    throw new AgentConfigError(
      `--listen: ${listen} is not a loopback address and no CURVE keys are set; an open agent port lets anyone run commands. Give --curve-secret-key/--curve-public-key, or --insecure to accept the risk`,
    );
  }
  const curveServer =
    secretKey !== undefined && publicKey !== undefined
      ? {
          secretKey,
          publicKey,
          allowedClientKeys: principalKey === undefined ? [] : [principalKey],
        }
      : undefined;
  if (curveServer && principalKey === undefined && !insecure) {
    throw new AgentConfigError(
      '--principal-public-key: expected the principal key so only it may connect, got none (or pass --insecure)',
    );
  }
  return Object.freeze({
    listen,
    advertise,
    principal,
    instanceId,
    slots: positive('slots', flags.slots ?? '4', 1),
    queueLength: positive('queue', flags.queue ?? '16', 0),
    cpuMillis: flags.cpu === undefined ? 0 : parseCpuMillis(flags.cpu, '--cpu'),
    memoryBytes: flags.memory === undefined ? 0 : parseMemoryBytes(flags.memory, '--memory'),
    labels: Object.freeze(labels),
    executors: Object.freeze(executors),
    curveServer,
    curveClient:
      curveServer && principalKey !== undefined
        ? {
            serverKey: principalKey,
            publicKey: curveServer.publicKey,
            secretKey: curveServer.secretKey,
          }
        : undefined,
    insecure,
    drainGraceMs: positive('drain-grace-seconds', flags.drainGraceSeconds ?? '10', 0) * 1000,
    taskNice: flags.taskNice === undefined ? DEFAULT_TASK_NICE : niceness(flags.taskNice),
  });
}
