// Resident memory of a controller with many agents registered and many Tasks known, and of an
// agent after many Tasks, each beside the same process idle, measured in the same run. Each
// controller and agent runs alone in a child process so its RSS is its own.
import { clearTimeout, setTimeout } from 'node:timers';
import { URL } from 'node:url';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { pino } from 'pino';
import { RequestClient, RouterServer } from '../../dist/agent/index.js';
import { repeat } from '../lib/stats.js';
import { row } from '../lib/report.js';

const logger = pino({ level: 'silent' });
const child = (name, args = []) =>
  fork(new URL(`../children/${name}`, import.meta.url), args, {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

/** Sends a message and waits for the next reply that has `key`. */
async function ask(proc, msg, key) {
  const reply = new Promise((resolve, reject) => {
    const on = (m) => {
      if (!(key in m)) return;
      proc.off('message', on);
      proc.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code) =>
      reject(new Error(`child exited with ${code} while waiting for "${key}"`));
    proc.on('message', on);
    proc.once('exit', onExit);
  });
  if (msg !== undefined) proc.send(msg);
  return reply;
}

async function stopChild(proc) {
  if (proc.exitCode !== null) return;
  const exited = once(proc, 'exit');
  proc.send({ cmd: 'stop' });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls the controller until it has reconciled `tasks` keys and its count stops moving. */
async function untilQuiet(ctl, tasks, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const s = await ask(ctl, { cmd: 'stats' }, 'rssMiB');
    if (s.reconciled >= tasks && s.reconciled === last) return s;
    if (Date.now() > deadline) {
      throw new Error(`controller reconciled ${s.reconciled} of ${tasks} Tasks in time`);
    }
    last = s.reconciled;
    await sleep(500);
  }
}

/** Registers `n` agents with the principal and heartbeats each once; none is ever dialed. */
async function registerAgents(principal, n) {
  const client = new RequestClient({ endpoint: principal, logger, deadlineMs: 30_000 });
  const capacity = { slots: 4, cpuMillis: 4000, memoryBytes: 8 * 2 ** 30, queueLength: 8 };
  const send = async (body) => {
    const reply = await client.request(body);
    if (reply.kind !== 'OK')
      throw new Error(`${body.verb} refused: ${reply.code} ${reply.message}`);
  };
  const batch = 200;
  for (let i = 0; i < n; i += batch) {
    const ids = Array.from({ length: Math.min(batch, n - i) }, (_, k) => `fake-agent-${i + k}`);
    await Promise.all(
      ids.map((id, k) =>
        send({
          verb: 'REGISTER',
          instanceId: id,
          // A port that is never listened on: the directory dials an agent only to dispatch.
          endpoint: `tcp://127.0.0.1:${1 + ((i + k) % 1000)}`,
          capacity,
          executors: ['PROCESS', 'SHELL'],
          labels: { zone: `z${(i + k) % 10}` },
          held: [],
        }),
      ),
    );
    await Promise.all(
      ids.map((id) =>
        send({
          verb: 'HEARTBEAT',
          instanceId: id,
          freeSlots: 2,
          freeCpuMillis: 2000,
          freeMemoryBytes: 2 ** 30,
          queued: 0,
          held: [],
        }),
      ),
    );
  }
  client.close();
}

async function controllerRss(clusters, agents, tasks) {
  const idle = child('controller-host.js');
  await ask(idle, undefined, 'ready');
  await ask(idle, { cmd: 'start', kubeConfigYaml: clusters.empty }, 'principal');
  await sleep(500);
  const base = await ask(idle, { cmd: 'stats' }, 'rssMiB');
  await stopChild(idle);

  const ctl = child('controller-host.js');
  try {
    await ask(ctl, undefined, 'ready');
    const { principal } = await ask(
      ctl,
      { cmd: 'start', kubeConfigYaml: clusters.full },
      'principal',
    );
    await untilQuiet(ctl, tasks, 600_000);
    await registerAgents(principal, agents);
    const loaded = await ask(ctl, { cmd: 'stats' }, 'rssMiB');
    if (loaded.agents !== agents) {
      throw new Error(`controller knows ${loaded.agents} agents, expected ${agents}`);
    }
    return { loaded: loaded.rssMiB, idle: base.rssMiB, heap: loaded.heapMiB };
  } finally {
    await stopChild(ctl);
  }
}

/** Runs `count` `true` Tasks on an agent in its own process; its reports go to a stub principal. */
async function agentRss(count) {
  let finished = 0;
  const principal = new RouterServer({
    endpoint: 'tcp://127.0.0.1:0',
    logger,
    handler: ({ body }) => {
      if (body.verb === 'STATUS' && (body.state === 'COMPLETE' || body.state === 'FAILED')) {
        finished += 1;
      }
      return { kind: 'OK', fields: [] };
    },
  });
  await principal.start();
  const agent = child('agent-host.js', [principal.endpoint, String(count)]);
  try {
    const { endpoint } = await ask(agent, undefined, 'endpoint');
    await sleep(500);
    const idle = await ask(agent, { cmd: 'stats' }, 'rssMiB');
    const client = new RequestClient({ endpoint, logger, deadlineMs: 30_000 });
    for (let i = 0; i < count; i++) {
      const reply = await client.request({
        verb: 'RUNTASK',
        uid: `memory-${i}`,
        attempt: 0,
        executor: 'PROCESS',
        command: 'true',
        args: [],
        env: [],
        workingDir: '',
        timeoutMs: 0,
        cpuMillis: 0,
        memoryBytes: 0,
      });
      if (reply.kind !== 'OK') throw new Error(`RUNTASK refused: ${reply.code} ${reply.message}`);
      // Keep the queue short, as a controller would: never more than a few waiting.
      while (i - finished > 16) await sleep(5);
    }
    client.close();
    const deadline = Date.now() + 120_000;
    while (finished < count && Date.now() < deadline) await sleep(20);
    if (finished < count) throw new Error(`agent finished ${finished} of ${count} Tasks`);
    const loaded = await ask(agent, { cmd: 'stats' }, 'rssMiB');
    return { loaded: loaded.rssMiB, idle: idle.rssMiB };
  } finally {
    await stopChild(agent);
    await principal.close();
  }
}

/** Rows: controller RSS with agents and Tasks known; agent RSS after Tasks. */
export async function run({ quick, reps }) {
  const agents = quick ? 1_000 : 10_000;
  const tasks = quick ? 5_000 : 100_000;
  const agentTasks = quick ? 200 : 3_000;
  const host = child('cluster-host.js');
  try {
    const clusters = await ask(host, undefined, 'full');
    await ask(host, { cmd: 'fill', count: tasks }, 'filled');
    let heap = 0;
    const r = await repeat(reps, async () => {
      const c = await controllerRss(clusters, agents, tasks);
      const a = await agentRss(agentTasks);
      heap = c.heap;
      return { c: c.loaded, cIdle: c.idle, a: a.loaded, aIdle: a.idle };
    });
    const k = (n) => `${n / 1000}k`;
    return [
      row({
        id: 'memory.controller',
        figure: `controller RSS, ${k(agents)} agents registered, ${k(tasks)} Tasks known`,
        unit: 'MiB',
        values: r.c,
        baseline: { name: 'idle controller', values: r.cIdle },
        goal: { on: 'value', op: '<=', limit: 512, source: 'set in docs/performance.md' },
        note: `JS heap in use ${heap.toFixed(0)} MiB (last run); Tasks written into the store directly`,
      }),
      row({
        id: 'memory.agent',
        figure: `agent RSS after ${k(agentTasks)} Tasks`,
        unit: 'MiB',
        values: r.a,
        baseline: { name: 'idle agent', values: r.aIdle },
        goal: { on: 'value', op: '<=', limit: 128, source: 'set in docs/performance.md' },
      }),
    ];
  } finally {
    await stopChild(host);
  }
}
