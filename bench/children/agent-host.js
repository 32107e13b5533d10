// A child process for the memory benchmark: one agent alone in its process, reporting to the
// principal given on the command line. Reports its RSS (after a collection) over IPC.
import { pino } from 'pino';
import { Agent } from '../../dist/agent/index.js';

const [principal, queueLength] = process.argv.slice(2);
const agent = new Agent({
  listen: 'tcp://127.0.0.1:0',
  principal,
  instanceId: 'bench-memory-agent',
  slots: 4,
  queueLength: Number(queueLength),
  cpuMillis: 0,
  memoryBytes: 0,
  labels: {},
  executors: ['PROCESS'],
  logger: pino({ level: 'silent' }),
});
await agent.start();
process.on('message', async (msg) => {
  if (msg.cmd === 'stats') {
    globalThis.gc?.();
    process.send({ rssMiB: process.memoryUsage.rss() / 2 ** 20 });
  } else if (msg.cmd === 'stop') {
    await agent.stop(5000, 1000);
    process.exit(0);
  }
});
process.send({ endpoint: agent.endpoint });
