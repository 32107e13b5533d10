import { ControllerConfigError, controllerFlagsWithEnv, readControllerConfig } from './config.js';
import type { ControllerFlags } from './config.js';

const pod = { name: 'ctl-0', namespace: 'ops' };
const loopback: ControllerFlags = { principalListen: 'tcp://127.0.0.1:5700' };

describe('readControllerConfig', () => {
  it('fills defaults and takes the Lease namespace from the pod', () => {
    const c = readControllerConfig(loopback, pod);
    expect(c).toMatchObject({
      leaseName: 'task-router-controller',
      leaseNamespace: 'ops',
      metricsPort: 8080,
      agentTimeoutMs: 10_000,
      dispatchTimeoutMs: 2000,
      workers: 4,
      leaderElect: true,
      curve: undefined,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each<[string, ControllerFlags, RegExp]>([
    [
      'an open principal without keys',
      { principalListen: 'tcp://0.0.0.0:5700' },
      /^--principal-listen: .*not a loopback/,
    ],
    [
      'a port past 65535',
      { principalListen: 'tcp://127.0.0.1:99999' },
      /^--principal-listen: expected tcp:\/\/HOST:PORT/,
    ],
    [
      'a Lease name with capitals',
      { ...loopback, leaseName: 'Bad_Name!' },
      /^--lease-name: expected a DNS subdomain/,
    ],
    [
      'a namespace with a space',
      { ...loopback, namespace: 'my ns' },
      /^--namespace: expected a DNS label/,
    ],
    [
      'a billion workers',
      { ...loopback, workers: '1e9' },
      /^--workers: expected an integer from 1 to 256/,
    ],
    [
      'a timeout of years',
      { ...loopback, agentTimeoutSeconds: '99999999999' },
      /^--agent-timeout-seconds: expected a number of seconds/,
    ],
    [
      'a missing kubeconfig',
      { ...loopback, kubeconfig: '/no/such/kubeconfig' },
      /^--kubeconfig: expected a readable file/,
    ],
    [
      'a made-up advertise address',
      { ...loopback, principalAdvertise: 'junk' },
      /^--principal-advertise: expected tcp:\/\/HOST:PORT/,
    ],
    [
      'half a key set',
      { ...loopback, curveSecretKey: 'x'.repeat(40) },
      /expected all three or none, got 1/,
    ],
    [
      'leader-elect maybe',
      { ...loopback, leaderElect: 'maybe' },
      /^--leader-elect: expected true or false/,
    ],
  ])('refuses %s, naming the option', (_what, flags, message) => {
    expect(() => readControllerConfig(flags, pod)).toThrow(ControllerConfigError);
    expect(() => readControllerConfig(flags, pod)).toThrow(message);
  });

  it('allows an open principal without keys only when told --insecure, also from the environment', () => {
    const flags = controllerFlagsWithEnv(
      { principalListen: 'tcp://0.0.0.0:5700' },
      { TASK_ROUTER_CONTROLLER_INSECURE: 'true' },
    );
    expect(readControllerConfig(flags, pod).curve).toBeUndefined();
  });
});
