// A child process for the agent benchmarks: one agent alone in its process (with its launch
// helper), reporting to the principal given on the command line. Reports over IPC its RSS after
// a collection, with the launch helper's added, since both are the agent's cost.
import { readFileSync, readdirSync } from 'node:fs';
import { pino } from 'pino';
import { Agent } from '../../dist/agent/index.js';

const [principal, queueLength, slots = '4'] = process.argv.slice(2);
const agent = new Agent({
  listen: 'tcp://127.0.0.1:0',
  principal,
  instanceId: 'bench-agent',
  slots: Number(slots),
  queueLength: Number(queueLength),
  cpuMillis: 0,
  memoryBytes: 0,
  labels: {},
  executors: ['PROCESS'],
  logger: pino({ level: 'silent' }),
});
await agent.start();

/** Resident KiB of a process, from /proc. */
function rssKiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

/** Children of this process that are its launch helper (tasks are children of the helper). */
function helperPids() {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      // Field 4 of stat is the parent pid; the name in field 2 may hold spaces, so split after it.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return (
        ppid === process.pid &&
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('launch-helper')
      );
    } catch {
      return false; // gone meanwhile
    }
  });
}

process.on('message', async (msg) => {
  if (msg.cmd === 'stats') {
    globalThis.gc?.();
    const helpers = helperPids();
    const helperKiB = helpers.reduce((n, pid) => n + rssKiB(pid), 0);
    process.send({
      rssMiB: (rssKiB(process.pid) + helperKiB) / 1024,
      helperMiB: helperKiB / 1024,
      helpers: helpers.length,
    });
  } else if (msg.cmd === 'stop') {
    await agent.stop(5000, 1000);
    process.exit(0);
  }
});
process.send({ endpoint: agent.endpoint });
