import type { CurveClientKeys, CurveServerKeys } from '../agent/curve.js';
import { existsSync } from 'node:fs';
import { LOOPBACK_ENDPOINT, readCurveKey } from '../config/curve-keys.js';

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
  curveSecretKey?: string;
  curvePublicKey?: string;
  agentPublicKey?: string;
  curveSecretKeyFile?: string;
  curvePublicKeyFile?: string;
  agentPublicKeyFile?: string;
  insecure?: boolean | string;
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
  /** CURVE keys of the principal server and of requests to agents; absent: plain sockets. */
  readonly curve: { server: CurveServerKeys; client: CurveClientKeys } | undefined;
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
  curveSecretKey: 'curve-secret-key',
  curvePublicKey: 'curve-public-key',
  agentPublicKey: 'agent-public-key',
  curveSecretKeyFile: 'curve-secret-key-file',
  curvePublicKeyFile: 'curve-public-key-file',
  agentPublicKeyFile: 'agent-public-key-file',
  insecure: 'insecure',
};

/** Validates flags into a frozen configuration; `podName` and `podNamespace` come from the pod. */
export function readControllerConfig(
  flags: ControllerFlags,
  pod: { name: string; namespace: string | undefined },
): ControllerConfig {
  const listen = flags.principalListen ?? 'tcp://0.0.0.0:5700';
  if (!ENDPOINT.test(listen)) {
    throw new ControllerConfigError(
      `--principal-listen: expected tcp://HOST:PORT, got ${JSON.stringify(listen)}`,
    );
  }
  const [metricsHost, metricsPort] = hostPort(flags.metricsAddress ?? '0.0.0.0:8080');
  const curve = curveKeys(flags, listen);
  if (flags.kubeconfig !== undefined && !existsSync(flags.kubeconfig)) {
    throw new ControllerConfigError(
      `--kubeconfig: expected a readable file, got ${JSON.stringify(flags.kubeconfig)} (no such file)`,
    );
  }
  if (flags.principalAdvertise !== undefined && !ENDPOINT.test(flags.principalAdvertise)) {
    throw new ControllerConfigError(
      `--principal-advertise: expected tcp://HOST:PORT, got ${JSON.stringify(flags.principalAdvertise)}`,
    );
  }
  return Object.freeze({
    kubeconfig: flags.kubeconfig,
    namespace: flags.namespace === undefined ? undefined : dnsLabel('namespace', flags.namespace),
    principalListen: listen,
    principalAdvertise: flags.principalAdvertise,
    metricsHost,
    metricsPort,
    leaderElect: bool('leader-elect', flags.leaderElect ?? 'true'),
    leaseName: dnsSubdomain('lease-name', flags.leaseName ?? 'task-router-controller'),
    leaseNamespace: dnsLabel('lease-namespace', flags.leaseNamespace ?? pod.namespace ?? 'default'),
    identity: pod.name,
    agentTimeoutMs: seconds('agent-timeout-seconds', flags.agentTimeoutSeconds ?? '10') * 1000,
    dispatchTimeoutMs:
      seconds('dispatch-timeout-seconds', flags.dispatchTimeoutSeconds ?? '2') * 1000,
    workers: positiveInt('workers', flags.workers ?? '4'),
    curve,
  });
}

/**
 * One key pair for the controller and the public key shared by the agents: the principal admits
 * only agents holding that key, and agents admit only the controller's key. Without keys the
 * principal must stay on loopback unless --insecure says otherwise.
 */
function curveKeys(flags: ControllerFlags, listen: string): ControllerConfig['curve'] {
  const fail = (m: string): Error => new ControllerConfigError(m);
  const secretKey = readCurveKey(
    '--curve-secret-key',
    flags.curveSecretKey,
    flags.curveSecretKeyFile,
    fail,
  );
  const publicKey = readCurveKey(
    '--curve-public-key',
    flags.curvePublicKey,
    flags.curvePublicKeyFile,
    fail,
  );
  const agentKey = readCurveKey(
    '--agent-public-key',
    flags.agentPublicKey,
    flags.agentPublicKeyFile,
    fail,
  );
  const given = [secretKey, publicKey, agentKey].filter((k) => k !== undefined).length;
  if (given !== 0 && given !== 3) {
    throw new ControllerConfigError(
      `--curve-secret-key, --curve-public-key and --agent-public-key: expected all three or none, got ${given}`,
    );
  }
  if (secretKey === undefined || publicKey === undefined || agentKey === undefined) {
    const insecure = flags.insecure === true || flags.insecure === 'true';
    if (!insecure && !LOOPBACK_ENDPOINT.test(listen)) {
      throw new ControllerConfigError(
        `--principal-listen: ${listen} is not a loopback address and no CURVE keys are set; anyone could register as an agent and receive commands. Give the CURVE key options, or --insecure to accept the risk`,
      );
    }
    return undefined;
  }
  return {
    server: { secretKey, publicKey, allowedClientKeys: [agentKey] },
    client: { serverKey: agentKey, publicKey, secretKey },
  };
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

/** The longest a timeout may be: a day (timers overflow past 2^31 ms anyway). */
const MAX_SECONDS = 86_400;

function seconds(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_SECONDS) {
    throw new ControllerConfigError(
      `--${name}: expected a number of seconds above 0 and at most ${MAX_SECONDS}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function positiveInt(name: string, raw: string, max = 256): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new ControllerConfigError(
      `--${name}: expected an integer from 1 to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** `tcp://HOST:PORT` with a port from 0 to 65535. */
const ENDPOINT =
  /^tcp:\/\/[^:/\s]+:(6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4})$/;

function dnsLabel(name: string, raw: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw)) {
    throw new ControllerConfigError(
      `--${name}: expected a DNS label (lower-case letters, digits and '-', at most 63), got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

function dnsSubdomain(name: string, raw: string): string {
  const label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
  if (raw.length > 253 || !new RegExp(`^${label}(\\.${label})*$`).test(raw)) {
    throw new ControllerConfigError(
      `--${name}: expected a DNS subdomain (lower-case letters, digits, '-' and '.'), got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}
