// Resident memory of a controller with many agents registered and many Tasks known, and of an
// agent after many Tasks, each beside the same process idle, measured in the same run. Each
// controller and agent runs alone in a child process so its RSS is its own.
import { pino } from 'pino';
import { RequestClient } from '../../dist/agent/index.js';
import { ask, child, finishedCounter, sleep, stopChild, trueTask } from '../lib/children.js';
import { repeat } from '../lib/stats.js';
import { row } from '../lib/report.js';

const logger = pino({ level: 'silent' });

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

/**
 * Runs `count` `true` Tasks on an agent in its own process; its reports go to a stub principal in
 * another. The agent's RSS includes its launch helper's.
 */
async function agentRss(count) {
  const principal = child('stub-server.js', ['principal']);
  const finished = finishedCounter(principal);
  let agent;
  try {
    const { endpoint: principalEndpoint } = await ask(principal, undefined, 'endpoint');
    agent = child('agent-host.js', [principalEndpoint, String(count)]);
    const { endpoint } = await ask(agent, undefined, 'endpoint');
    await sleep(500);
    const idle = await ask(agent, { cmd: 'stats' }, 'rssMiB');
    const client = new RequestClient({ endpoint, logger, deadlineMs: 30_000 });
    for (let i = 0; i < count; i++) {
      const reply = await client.request(trueTask(`memory-${i}`));
      if (reply.kind !== 'OK') throw new Error(`RUNTASK refused: ${reply.code} ${reply.message}`);
      // Keep the queue short, as a controller would: never more than a few waiting.
      await finished.atLeast(i - 16);
    }
    client.close();
    await finished.atLeast(count, 120_000);
    const loaded = await ask(agent, { cmd: 'stats' }, 'rssMiB');
    return { loaded: loaded.rssMiB, idle: idle.rssMiB, helper: loaded.helperMiB };
  } finally {
    if (agent) await stopChild(agent);
    await stopChild(principal);
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
    let helper = 0;
    const r = await repeat(reps, async () => {
      const c = await controllerRss(clusters, agents, tasks);
      const a = await agentRss(agentTasks);
      heap = c.heap;
      helper = a.helper;
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
        figure: `agent RSS after ${k(agentTasks)} Tasks, with its launch helper`,
        unit: 'MiB',
        values: r.a,
        baseline: { name: 'idle agent', values: r.aIdle },
        goal: { on: 'value', op: '<=', limit: 128, source: 'set in docs/performance.md' },
        note: `launch helper ${helper.toFixed(0)} MiB of it (last run)`,
      }),
    ];
  } finally {
    await stopChild(host);
  }
}
