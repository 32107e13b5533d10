// RUNTASK-to-acknowledgement round trip against a real agent, beside a raw zeromq.js REQ/REP echo
// of the same frames, measured in the same run. As in a cluster, the agent runs in its own
// process (with its launch helper, its tasks at the default niceness) and reports to a principal
// in another (run nicer, see stub-server.js); the echo has a process of its own too. One raw REQ
// socket per server sends frames encoded before the clock starts, so the only difference timed
// is the server. The client sends one request at a time, alternating between the agent and the
// echo, so that both see the same machine: the tasks (`true`) the agent starts compete for the
// same cores as every round trip, the echo's included. Like a controller, which routes only to
// free room, the client keeps no more Tasks on the agent than it has slots; waiting for a slot
// is not timed.
import { Request } from 'zeromq';
import { decodeReply, encodeRequest } from '../../dist/protocol/index.js';
import { ask, child, finishedCounter, stopChild, trueTask } from '../lib/children.js';
import { percentiles, repeat } from '../lib/stats.js';
import { row } from '../lib/report.js';

const GOAL = { on: 'ratio', op: '<=', limit: 1.3, source: 'issue 3' };
const SLOTS = 8;

/** One request on a REQ socket; resolves to the reply's frames and the microseconds taken. */
async function roundTrip(socket, frames) {
  const t0 = process.hrtime.bigint();
  await socket.send(frames);
  const reply = await socket.receive();
  return { reply, micros: Number(process.hrtime.bigint() - t0) / 1000 };
}

async function endpointOf(proc) {
  return (await ask(proc, undefined, 'endpoint')).endpoint;
}

/** One run of `n` round trips to each; resolves to the p50 and p99 of both, and STATUS per Task. */
async function once(n, rep) {
  const procs = [];
  const start = (name, args) => {
    const p = child(name, args);
    procs.push(p);
    return p;
  };
  const clients = [];
  try {
    const principalProc = start('stub-server.js', ['principal']);
    const finished = finishedCounter(principalProc);
    const principal = await endpointOf(principalProc);
    const agent = await endpointOf(start('agent-host.js', [principal, String(n), String(SLOTS)]));
    const echo = await endpointOf(start('stub-server.js', ['echo']));
    const toAgentSocket = new Request({ linger: 0 });
    const toEchoSocket = new Request({ linger: 0 });
    clients.push(toAgentSocket, toEchoSocket);
    toAgentSocket.connect(agent);
    toEchoSocket.connect(echo);
    const agentTimes = [];
    const rawTimes = [];
    const toAgent = async (i) => {
      await finished.atLeast(i - SLOTS + 1, 60_000);
      const frames = encodeRequest(String(i), trueTask(`bench-${rep}-${i}`));
      const { reply: got, micros } = await roundTrip(toAgentSocket, frames);
      agentTimes.push(micros);
      const reply = decodeReply(got).body;
      if (reply.kind !== 'OK') throw new Error(`RUNTASK refused: ${reply.code} ${reply.message}`);
    };
    const toEcho = async (i) => {
      const frames = encodeRequest(String(i), trueTask(`raw-${rep}-${i}`));
      rawTimes.push((await roundTrip(toEchoSocket, frames)).micros);
    };
    for (let i = 0; i < n; i++) {
      // Alternate which goes first, so neither always follows the other's reply.
      if (i % 2 === 0) {
        await toAgent(i);
        await toEcho(i);
      } else {
        await toEcho(i);
        await toAgent(i);
      }
    }
    await finished.atLeast(n, 60_000);
    const { states } = await ask(principalProc, { cmd: 'stats' }, 'states');
    const reports = Object.values(states).reduce((a, b) => a + b, 0);
    return { agent: percentiles(agentTimes), raw: percentiles(rawTimes), perTask: reports / n };
  } finally {
    for (const c of clients) c.close();
    for (const p of procs.reverse()) await stopChild(p);
  }
}

/** Rows: RUNTASK ack p50 and p99 against the raw echo. */
export async function run({ quick, reps }) {
  const n = quick ? 500 : 3000;
  let perTask = 0;
  const r = await repeat(reps, async (i) => {
    const { agent, raw, perTask: p } = await once(n, i);
    perTask = p;
    return { a50: agent.p50, a99: agent.p99, r50: raw.p50, r99: raw.p99 };
  });
  const baseline = (values) => ({ name: 'raw REQ/REP, own process', values });
  const note = `${n} round trips each from raw REQ sockets, alternating, at most ${SLOTS} Tasks on the agent; agent, its principal and the echo in processes of their own; ${perTask.toFixed(2)} STATUS reports per Task (last run)`;
  return [
    row({
      id: 'runtask.p50',
      figure: 'RUNTASK ack p50 (agent running the Tasks)',
      unit: 'µs',
      values: r.a50,
      baseline: baseline(r.r50),
      goal: GOAL,
      note,
    }),
    row({
      id: 'runtask.p99',
      figure: 'RUNTASK ack p99 (agent running the Tasks)',
      unit: 'µs',
      values: r.a99,
      baseline: baseline(r.r99),
      goal: GOAL,
      note,
    }),
  ];
}
