// RUNTASK-to-acknowledgement round trip against a real agent, beside a raw zeromq.js REQ/REP echo
// of the same frames, measured in the same run. As in a cluster, the agent runs in its own
// process (with its launch helper, its tasks at the default niceness) and reports to a principal
// in another (run nicer, see stub-server.js); the echo has a process of its own too. One raw REQ
// socket per server sends frames encoded before the clock starts, so the only difference timed
// is the server. The client sends one request at a time, alternating between the agent and the
// echo, so that both see the same machine: the tasks (`true`) the agent starts compete for the
// same cores as every round trip, the echo's included. Like a controller, which routes only to
// free room, the client keeps no more Tasks on the agent than it has slots; waiting for a slot
// is not timed. Every other pair of RUNTASKs goes through the request client a controller uses
// (a DEALER with request ids and deadlines) instead, for rows without a goal that add its cost.
import { pino } from 'pino';
import { Request } from 'zeromq';
import { RequestClient } from '../../dist/agent/index.js';
import { decodeReply, encodeRequest } from '../../dist/protocol/index.js';
import { ask, child, finishedCounter, stopChild, trueTask } from '../lib/children.js';
import { percentiles, repeat } from '../lib/stats.js';
import { row } from '../lib/report.js';

const GOAL = { on: 'ratio', op: '<=', limit: 1.3, source: 'issue 3' };
const SLOTS = 8;
/** Longest wait for any reply; a server that never answers fails the run instead of hanging it. */
const DEADLINE_MS = 10_000;

/** Runs `fn` and resolves to what it resolves to and the microseconds it took. */
async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { value, micros: Number(process.hrtime.bigint() - t0) / 1000 };
}

/** One request on a REQ socket; resolves to the reply's frames. */
async function roundTrip(socket, frames) {
  await socket.send(frames);
  return socket.receive();
}

function reqSocket(endpoint) {
  const socket = new Request({ linger: 0, receiveTimeout: DEADLINE_MS });
  socket.connect(endpoint);
  return socket;
}

async function endpointOf(proc) {
  return (await ask(proc, undefined, 'endpoint')).endpoint;
}

/**
 * One run of `n` round trips to the echo and `n` RUNTASKs to the agent, half from a raw REQ
 * socket and half through the request client; resolves to the p50 and p99 of each, and the
 * STATUS reports per Task.
 */
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
    const toAgentSocket = reqSocket(agent);
    const toEchoSocket = reqSocket(echo);
    const client = new RequestClient({
      endpoint: agent,
      deadlineMs: DEADLINE_MS,
      logger: pino({ level: 'silent' }),
    });
    clients.push(toAgentSocket, toEchoSocket, client);
    const times = { raw: [], client: [], echo: [] };
    const toAgent = async (i) => {
      await finished.atLeast(i - SLOTS + 1, 60_000);
      const task = trueTask(`bench-${rep}-${i}`);
      let reply;
      // Pairs alternate, so each kind of client goes first as often as the echo does.
      if (Math.floor(i / 2) % 2 === 0) {
        const frames = encodeRequest(String(i), task);
        const { value, micros } = await timed(() => roundTrip(toAgentSocket, frames));
        times.raw.push(micros);
        reply = decodeReply(value).body;
      } else {
        const { value, micros } = await timed(() => client.request(task));
        times.client.push(micros);
        reply = value;
      }
      if (reply.kind !== 'OK') throw new Error(`RUNTASK refused: ${reply.code} ${reply.message}`);
    };
    const toEcho = async (i) => {
      const frames = encodeRequest(String(i), trueTask(`raw-${rep}-${i}`));
      times.echo.push((await timed(() => roundTrip(toEchoSocket, frames))).micros);
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
    return {
      raw: percentiles(times.raw),
      client: percentiles(times.client),
      echo: percentiles(times.echo),
      perTask: reports / n,
    };
  } finally {
    for (const c of clients) c.close();
    for (const p of procs.reverse()) await stopChild(p);
  }
}

/** Rows: RUNTASK ack p50 and p99 against the raw echo, from a raw socket and the request client. */
export async function run({ quick, reps }) {
  const n = quick ? 500 : 3000;
  let perTask = 0;
  const r = await repeat(reps, async (i) => {
    const got = await once(n, i);
    perTask = got.perTask;
    return {
      raw50: got.raw.p50,
      raw99: got.raw.p99,
      client50: got.client.p50,
      client99: got.client.p99,
      echo50: got.echo.p50,
      echo99: got.echo.p99,
    };
  });
  const baseline = (values) => ({ name: 'raw REQ/REP, own process', values });
  const setting = `${n} round trips to the echo and ${n} RUNTASKs, alternating, at most ${SLOTS} Tasks on the agent; agent, its principal and the echo in processes of their own; ${perTask.toFixed(2)} STATUS reports per Task (last run)`;
  const rawNote = `half of the RUNTASKs, from a raw REQ socket like the echo's; ${setting}`;
  const clientNote = `the other half, through the request client, encoding and decoding timed; ${setting}`;
  return [
    row({
      id: 'runtask.p50',
      figure: 'RUNTASK ack p50 (agent running the Tasks)',
      unit: 'µs',
      values: r.raw50,
      baseline: baseline(r.echo50),
      goal: GOAL,
      note: rawNote,
    }),
    row({
      id: 'runtask.p99',
      figure: 'RUNTASK ack p99 (agent running the Tasks)',
      unit: 'µs',
      values: r.raw99,
      baseline: baseline(r.echo99),
      goal: GOAL,
      note: rawNote,
    }),
    row({
      id: 'runtask.client.p50',
      figure: 'RUNTASK ack p50 through the request client',
      unit: 'µs',
      values: r.client50,
      baseline: baseline(r.echo50),
      note: clientNote,
    }),
    row({
      id: 'runtask.client.p99',
      figure: 'RUNTASK ack p99 through the request client',
      unit: 'µs',
      values: r.client99,
      baseline: baseline(r.echo99),
      note: clientNote,
    }),
  ];
}
