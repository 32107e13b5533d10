import { AgentConfigError, defaultInstanceId, readAgentConfig, withEnv } from './config.js';

const read = (flags: Parameters<typeof readAgentConfig>[0]): ReturnType<typeof readAgentConfig> =>
  readAgentConfig(flags, 'host-1-42');

describe('readAgentConfig endpoints', () => {
  it.each([
    [
      '--principal',
      { principal: 'nope' },
      'expected tcp://HOST:PORT with PORT 1-65535, got "nope"',
    ],
    ['--principal', { principal: 'tcp://controller' }, 'got "tcp://controller"'],
    ['--principal', { principal: 'tcp://controller:0' }, 'got port 0 in'],
    ['--principal', { principal: 'tcp://controller:65536' }, 'got port 65536 in'],
    ['--principal', { principal: 'tcp://*:5700' }, 'expected a host to connect to, got *'],
    ['--advertise', { advertise: 'tcp://10.0.0.7:*' }, 'PORT 1-65535, got "tcp://10.0.0.7:*"'],
    ['--advertise', { advertise: 'udp://10.0.0.7:5701' }, 'got "udp://10.0.0.7:5701"'],
    [
      '--listen',
      { listen: 'tcp://127.0.0.1:99999' },
      'PORT 0-65535, or * to pick one, got port 99999',
    ],
    ['--listen', { listen: 'tcp://127.0.0.1:-1' }, 'got "tcp://127.0.0.1:-1"'],
    ['--listen', { listen: '127.0.0.1:5701' }, 'got "127.0.0.1:5701"'],
  ])('refuses %s %j, naming the option', (option, flags, expected) => {
    expect(() => read(flags)).toThrow(AgentConfigError);
    expect(() => read(flags)).toThrow(`${option}: `);
    expect(() => read(flags)).toThrow(expected);
  });

  it.each([
    [{ listen: 'tcp://127.0.0.1:0' }],
    [{ listen: 'tcp://127.0.0.1:*' }],
    [{ listen: 'tcp://*:5701', insecure: true }],
    [{ listen: 'tcp://[::1]:5701' }],
    [{ principal: 'tcp://task-router-controller.ns.svc:5700', advertise: 'tcp://10.1.2.3:5701' }],
    [{ principal: 'tcp://[fd00::1]:65535' }],
  ])('accepts %j', (flags) => {
    expect(() => read(flags)).not.toThrow();
  });
});

describe('agent instance id', () => {
  it('refuses an empty --instance-id', () => {
    expect(() => read({ instanceId: '' })).toThrow(
      '--instance-id: expected a non-empty id, got ""',
    );
  });

  it('takes the fallback when none is given', () => {
    expect(read({}).instanceId).toBe('host-1-42');
  });

  it('defaults to POD_NAME, else the host name and pid, so agents on one host differ', () => {
    expect(defaultInstanceId({ POD_NAME: 'agent-7f9c' }, 'node-a', 10)).toBe('agent-7f9c');
    expect(defaultInstanceId({ POD_NAME: '' }, 'node-a', 10)).toBe('node-a-10');
    expect(defaultInstanceId({}, 'node-a', 11)).toBe('node-a-11');
  });
});

describe('agent quantities', () => {
  it.each([
    ['memory', { memory: '9Ei' }, /^--memory: invalid quantity "9Ei": expected at most/],
    ['cpu', { cpu: '1e18' }, /^--cpu: invalid quantity "1e18": expected at most/],
  ])('refuses a %s too large to count exactly', (_what, flags, expected) => {
    expect(() => read(flags)).toThrow(expected);
  });
});

describe('task niceness', () => {
  it('is 10 by default and takes 0 to 19', () => {
    expect(read({}).taskNice).toBe(10);
    expect(read({ taskNice: '0' }).taskNice).toBe(0);
    expect(read({ taskNice: '19' }).taskNice).toBe(19);
  });

  it('comes from TASK_ROUTER_AGENT_TASK_NICE when the flag is absent', () => {
    expect(read(withEnv({}, { TASK_ROUTER_AGENT_TASK_NICE: '3' })).taskNice).toBe(3);
    expect(read(withEnv({ taskNice: '4' }, { TASK_ROUTER_AGENT_TASK_NICE: '3' })).taskNice).toBe(4);
  });

  it.each(['20', '-1', '1.5', 'low', ''])('refuses --task-nice %j, naming the option', (raw) => {
    expect(() => read({ taskNice: raw })).toThrow(
      `--task-nice: expected an integer from 0 to 19, got "${raw}"`,
    );
  });
});
