// RUNTASK-to-acknowledgement round trip against a real agent, beside a raw zeromq.js REQ/REP echo
// of a message of the same shape, measured in the same run.
// TODO(#3): the goal (at most 1.3 times the raw round trip) is missed: the agent still decodes,
// dedupes and queues each RUNTASK on its event loop and the task's process start (on a worker
// thread) competes for the same 2 cores; p99 suffers most.
import { Reply, Request } from 'zeromq';
import { pino } from 'pino';
import { Agent, RequestClient } from '../../dist/agent/index.js';
import { percentiles, repeat } from '../lib/stats.js';
import { row } from '../lib/report.js';

const GOAL = { on: 'ratio', op: '<=', limit: 1.3, source: 'issue 3' };
const logger = pino({ level: 'silent' });

function micros(t0) {
  return Number(process.hrtime.bigint() - t0) / 1000;
}

async function rawEcho(n) {
  const rep = new Reply({ linger: 0 });
  await rep.bind('tcp://127.0.0.1:*');
  const serving = (async () => {
    for await (const msg of rep) await rep.send(msg);
  })().catch(() => undefined);
  const req = new Request({ linger: 0 });
  req.connect(rep.lastEndpoint);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await req.send(['TR1', 'RUNTASK', String(i), `uid-${i}`, '0', 'PROCESS', 'true']);
    await req.receive();
    times.push(micros(t0));
  }
  req.close();
  rep.close();
  await serving;
  return percentiles(times);
}

async function agentRoundTrip(n, rep) {
  // Slots and queue large enough that every RUNTASK is accepted; the tasks are `true`.
  const agent = new Agent({
    listen: 'tcp://127.0.0.1:*',
    instanceId: `bench-${rep}`,
    slots: 8,
    queueLength: n,
    cpuMillis: 0,
    memoryBytes: 0,
    labels: {},
    executors: ['PROCESS'],
    logger,
  });
  await agent.start();
  const client = new RequestClient({ endpoint: agent.endpoint, logger });
  const times = [];
  for (let i = 0; i < n; i++) {
    const task = {
      verb: 'RUNTASK',
      uid: `bench-${rep}-${i}`,
      attempt: 0,
      executor: 'PROCESS',
      command: 'true',
      args: [],
      env: [],
      workingDir: '',
      timeoutMs: 0,
      cpuMillis: 0,
      memoryBytes: 0,
    };
    const t0 = process.hrtime.bigint();
    const reply = await client.request(task);
    times.push(micros(t0));
    if (reply.kind !== 'OK') throw new Error(`RUNTASK refused: ${reply.code} ${reply.message}`);
  }
  client.close();
  await agent.stop(30_000, 0);
  return percentiles(times);
}

/** Rows: RUNTASK ack p50 and p99 against the raw echo. */
export async function run({ quick, reps }) {
  const n = quick ? 300 : 3000;
  const r = await repeat(reps, async (i) => {
    const raw = await rawEcho(n);
    const agent = await agentRoundTrip(n, i);
    return { a50: agent.p50, a99: agent.p99, r50: raw.p50, r99: raw.p99 };
  });
  const baseline = (values) => ({ name: 'raw REQ/REP', values });
  return [
    row({
      id: 'runtask.p50',
      figure: 'RUNTASK ack p50',
      unit: 'µs',
      values: r.a50,
      baseline: baseline(r.r50),
      goal: GOAL,
    }),
    row({
      id: 'runtask.p99',
      figure: 'RUNTASK ack p99',
      unit: 'µs',
      values: r.a99,
      baseline: baseline(r.r99),
      goal: GOAL,
    }),
  ];
}
