// A child process for the agent benchmarks, alone in its process so that its work is not the
// measuring process's. `echo`: a raw zeromq.js REP socket sending back every message as it came,
// the baseline of the RUNTASK round trip. `principal`: a principal that answers OK to every
// request, counts STATUS reports by state, and tells the parent `{ finished }` after each final
// report, so that it can keep an agent's backlog as short as a controller would. The principal
// stands in for a controller that runs on other machines in a cluster: it runs nicer than the
// rest, so that its work on these shared cores, which the agent's reports set off, is not counted
// against the agent's round trips (the echo has no such neighbour).
import { setPriority } from 'node:os';
import { Reply } from 'zeromq';
import { pino } from 'pino';
import { RouterServer } from '../../dist/agent/index.js';

const mode = process.argv[2];
const states = {};
let finished = 0;
let close;
if (mode === 'echo') {
  const rep = new Reply({ linger: 0 });
  await rep.bind('tcp://127.0.0.1:*');
  const serving = (async () => {
    for await (const msg of rep) await rep.send(msg);
  })().catch(() => undefined);
  close = async () => {
    rep.close();
    await serving;
  };
  process.send({ endpoint: rep.lastEndpoint });
} else if (mode === 'principal') {
  setPriority(10);
  const principal = new RouterServer({
    endpoint: 'tcp://127.0.0.1:0',
    logger: pino({ level: 'silent' }),
    handler: ({ body }) => {
      if (body.verb === 'STATUS') {
        states[body.state] = (states[body.state] ?? 0) + 1;
        if (body.state === 'COMPLETE' || body.state === 'FAILED') {
          finished += 1;
          process.send({ finished });
        }
      }
      return { kind: 'OK', fields: [] };
    },
  });
  await principal.start();
  close = () => principal.close();
  process.send({ endpoint: principal.endpoint });
} else {
  throw new Error(`stub-server: expected echo or principal, got "${mode}"`);
}
process.on('message', async (msg) => {
  if (msg.cmd === 'stats') {
    process.send({ states });
  } else if (msg.cmd === 'stop') {
    await close();
    process.exit(0);
  }
});
