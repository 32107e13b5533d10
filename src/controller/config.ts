/** Flags of `task-router controller`, as commander hands them over (all strings). */
export interface ControllerFlags {
  kubeconfig?: string;
  namespace?: string;
  principalListen?: string;
  principalAdvertise?: string;
  metricsAddress?: string;
  leaderElect?: string;
  leaseName?: string;
  leaseNamespace?: string;
  agentTimeoutSeconds?: string;
  dispatchTimeoutSeconds?: string;
  workers?: string;
}

/** The controller's configuration, validated and frozen. */
export interface ControllerConfig {
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined;
  readonly principalListen: string;
  readonly principalAdvertise: string | undefined;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly leaderElect: boolean;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  readonly identity: string;
  readonly agentTimeoutMs: number;
  readonly dispatchTimeoutMs: number;
  readonly workers: number;
}

/** A bad flag or environment variable; names it, with what was expected and what came. */
export class ControllerConfigError extends Error {
  override readonly name = 'ControllerConfigError';
}

const ENV_PREFIX = 'TASK_ROUTER_CONTROLLER_';

/** Fills flags not given on the command line from `TASK_ROUTER_CONTROLLER_<NAME>`. */
export function controllerFlagsWithEnv(
  flags: ControllerFlags,
  env: NodeJS.ProcessEnv,
): ControllerFlags {
  const out: ControllerFlags = { ...flags };
  for (const key of Object.keys(FLAG_NAMES) as (keyof ControllerFlags)[]) {
    const fromEnv = env[ENV_PREFIX + FLAG_NAMES[key].replaceAll('-', '_').toUpperCase()];
    if (out[key] === undefined && fromEnv !== undefined) out[key] = fromEnv;
  }
  return out;
}

const FLAG_NAMES: Record<keyof ControllerFlags, string> = {
  kubeconfig: 'kubeconfig',
  namespace: 'namespace',
  principalListen: 'principal-listen',
  principalAdvertise: 'principal-advertise',
  metricsAddress: 'metrics-address',
  leaderElect: 'leader-elect',
  leaseName: 'lease-name',
  leaseNamespace: 'lease-namespace',
  agentTimeoutSeconds: 'agent-timeout-seconds',
  dispatchTimeoutSeconds: 'dispatch-timeout-seconds',
  workers: 'workers',
};

/** Validates flags into a frozen configuration; `podName` and `podNamespace` come from the pod. */
export function readControllerConfig(
  flags: ControllerFlags,
  pod: { name: string; namespace: string | undefined },
): ControllerConfig {
  const listen = flags.principalListen ?? 'tcp://0.0.0.0:5700';
  if (!/^tcp:\/\/[^:]+:\d{1,5}$/.test(listen)) {
    throw new ControllerConfigError(
      `--principal-listen: expected tcp://HOST:PORT, got ${JSON.stringify(listen)}`,
    );
  }
  const [metricsHost, metricsPort] = hostPort(flags.metricsAddress ?? '0.0.0.0:8080');
  return Object.freeze({
    kubeconfig: flags.kubeconfig,
    namespace: flags.namespace,
    principalListen: listen,
    principalAdvertise: flags.principalAdvertise,
    metricsHost,
    metricsPort,
    leaderElect: bool('leader-elect', flags.leaderElect ?? 'true'),
    leaseName: flags.leaseName ?? 'task-router-controller',
    leaseNamespace: flags.leaseNamespace ?? pod.namespace ?? 'default',
    identity: pod.name,
    agentTimeoutMs: seconds('agent-timeout-seconds', flags.agentTimeoutSeconds ?? '10') * 1000,
    dispatchTimeoutMs:
      seconds('dispatch-timeout-seconds', flags.dispatchTimeoutSeconds ?? '2') * 1000,
    workers: positiveInt('workers', flags.workers ?? '4'),
  });
}

function hostPort(raw: string): [string, number] {
  const match = /^(.*):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[2]);
  if (match === null || port > 65535) {
    throw new ControllerConfigError(
      `--metrics-address: expected HOST:PORT, got ${JSON.stringify(raw)}`,
    );
  }
  return [match[1] === '' ? '0.0.0.0' : (match[1] ?? '0.0.0.0'), port];
}

function bool(name: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ControllerConfigError(`--${name}: expected true or false, got ${JSON.stringify(raw)}`);
}

function seconds(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new ControllerConfigError(
      `--${name}: expected a number of seconds > 0, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ControllerConfigError(
      `--${name}: expected an integer >= 1, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}
