import { readFileSync, readdirSync } from 'node:fs';
import { pino } from 'pino';
import { Agent, RouterServer, RequestClient, type AgentOptions } from '../../src/agent/index.js';
import {
  runTaskWith,
  type RunTask,
  type StatusReport,
  type Register,
} from '../../src/protocol/index.js';

export const silent = pino({ level: 'silent' });

/**
 * A principal that keeps what it heard. Like the real one it answers UNKNOWN_AGENT to HEARTBEAT
 * and STATUS from an agent that has not registered with it (as after a restart).
 */
export class TestPrincipal {
  readonly reports: StatusReport[] = [];
  readonly registers: Register[] = [];
  heartbeats = 0;
  private readonly server: RouterServer;
  private waiters: (() => void)[] = [];

  constructor(endpoint = 'tcp://127.0.0.1:*') {
    this.server = new RouterServer({
      endpoint,
      logger: silent,
      handler: ({ body }) => {
        const known = this.registers.map((r) => r.instanceId);
        if (
          (body.verb === 'STATUS' || body.verb === 'HEARTBEAT') &&
          !known.includes(body.instanceId)
        ) {
          return { kind: 'ERROR', code: 'UNKNOWN_AGENT', message: 'register first', detail: '' };
        }
        if (body.verb === 'STATUS') this.reports.push(body);
        if (body.verb === 'REGISTER') this.registers.push(body);
        if (body.verb === 'HEARTBEAT') this.heartbeats++;
        for (const w of this.waiters) w();
        return { kind: 'OK', fields: [] };
      },
    });
  }

  get endpoint(): string {
    return this.server.endpoint;
  }

  start(): Promise<void> {
    return this.server.start();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  reportsOf(uid: string): StatusReport[] {
    return this.reports.filter((r) => r.uid === uid);
  }

  /** Resolves once `pred` holds; checked after every message, fails the test after `ms`. */
  until(pred: () => boolean, ms = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error('condition not met in time'));
      }, ms);
      const check = (): void => {
        if (!pred()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  final(uid: string, ms = 10_000): Promise<StatusReport> {
    const done = (): StatusReport | undefined =>
      this.reportsOf(uid).find((r) => r.state === 'COMPLETE' || r.state === 'FAILED');
    return this.until(() => done() !== undefined, ms).then(() => done()!);
  }
}

export async function startAgent(
  principal: string | undefined,
  extra: Partial<AgentOptions> = {},
): Promise<Agent> {
  const agent = new Agent({
    listen: 'tcp://127.0.0.1:*',
    instanceId: 'agent-test',
    slots: 2,
    queueLength: 4,
    cpuMillis: 0,
    memoryBytes: 0,
    labels: {},
    executors: ['PROCESS', 'SHELL'],
    logger: silent,
    heartbeatIntervalMs: 200,
    executor: { killGraceMs: 500, orphanGraceMs: 200 },
    ...(principal !== undefined ? { principal } : {}),
    ...extra,
  });
  await agent.start();
  return agent;
}

/** A principal, an agent reporting to it, and a client of the agent. */
export interface AgentRig {
  readonly principal: TestPrincipal;
  readonly agent: Agent;
  readonly rc: RequestClient;
  /** Replaces the agent (same principal) with one started with `extra`, and its client. */
  restart(extra: Partial<AgentOptions>): Promise<void>;
}

/**
 * Starts a fresh rig before each test of the enclosing describe and stops it after; the returned
 * object always holds the current test's parts. Like a controller, which sends work only to
 * registered agents, a test starts once the agent has registered: a task that ended before that
 * would have its in-between reports dropped as superseded.
 */
export function agentRig(): AgentRig {
  let parts: { principal: TestPrincipal; agent: Agent; rc: RequestClient } | undefined;
  const current = () => {
    if (parts === undefined) throw new Error('agentRig: used outside a test');
    return parts;
  };
  beforeEach(async () => {
    const principal = new TestPrincipal();
    await principal.start();
    const agent = await startAgent(principal.endpoint);
    await principal.until(() => principal.registers.length > 0);
    parts = { principal, agent, rc: client(agent.endpoint) };
  });
  afterEach(async () => {
    const { principal, agent, rc } = current();
    parts = undefined;
    rc.close();
    await agent.stop(1000, 200);
    await principal.close();
  });
  return {
    get principal() {
      return current().principal;
    },
    get agent() {
      return current().agent;
    },
    get rc() {
      return current().rc;
    },
    async restart(extra) {
      const p = current();
      await p.agent.stop(1000, 200);
      const registered = p.principal.registers.length;
      p.agent = await startAgent(p.principal.endpoint, extra);
      await p.principal.until(() => p.principal.registers.length > registered);
      p.rc.close();
      p.rc = client(p.agent.endpoint);
    },
  };
}

let counter = 0;

export function runTask(fields: Partial<RunTask> & Pick<RunTask, 'command'>): RunTask {
  counter++;
  return runTaskWith({ uid: `task-${process.pid}-${counter}`, ...fields });
}

export function client(endpoint: string, deadlineMs = 3000): RequestClient {
  return new RequestClient({ endpoint, deadlineMs, logger: silent });
}

/** Resolves true once `pid` is gone (a SIGKILL takes a moment to land), false after `ms`. */
export async function goneWithin(pid: number, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Starts a principal on an endpoint a closed one just released; the port frees asynchronously. */
export async function startOnSameEndpoint(principal: TestPrincipal): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await principal.start();
      return;
    } catch (err) {
      if (attempt >= 50 || !String(err).includes('Address already in use')) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * True while `pid` is a live process. A killed orphan is re-parented to PID 1, and when PID 1 does
 * not reap (as in some containers) it stays a zombie that `kill(pid, 0)` still finds; a zombie
 * runs nothing, so it counts as dead here.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') !== true;
  } catch {
    return false;
  }
}

/** Pids whose parent is `pid`, from /proc. */
export function childrenOf(pid: number): number[] {
  return processesWhere('parent', pid);
}

/** Live processes whose parent, or process group, is `id`. */
export function processesWhere(field: 'parent' | 'group', id: number): number[] {
  const found: number[] = [];
  // Fields 4 and 5 of stat; the name in field 2 may hold spaces, so split after its ')'.
  const index = field === 'parent' ? 1 : 2;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[index]) === id) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The first child of `pid` to appear; fails after `ms`. */
export async function childAppears(pid: number, ms = 5000): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const [child] = childrenOf(pid);
    if (child !== undefined) return child;
    if (Date.now() > deadline) throw new Error(`no child of ${pid} appeared within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
