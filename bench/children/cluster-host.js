// A child process for the memory benchmark: two local control planes, one left empty and one
// filled with finished Tasks written straight into its store (creating 100k Tasks through the
// API would take minutes and measure the API, not the controller's memory). Driven over IPC.
import { randomUUID } from 'node:crypto';
import { startLocalCluster } from '../../dist/localcluster/index.js';

const TASKS_KEY = 'taskrouter.io/tasks';

/** A Task as the controller leaves it after a successful run. */
function finishedTask(i, now) {
  const name = `done-${i}`;
  return {
    apiVersion: 'taskrouter.io/v1alpha1',
    kind: 'Task',
    metadata: {
      name,
      namespace: 'default',
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: now,
      labels: { batch: String(i % 100) },
    },
    spec: { executor: 'PROCESS', command: 'echo', args: [`task ${i}`], priority: 0, retries: 0 },
    status: {
      phase: 'Complete',
      agent: `agent-${i % 1000}`,
      attempts: 1,
      startTime: now,
      completionTime: now,
      exitCode: 0,
      reason: 'Completed',
      message: 'exit code 0',
      output: `task ${i}\n`,
      outputTruncated: false,
      observedGeneration: 1,
      conditions: [
        {
          type: 'Dispatched',
          status: 'True',
          reason: 'Dispatched',
          message: '',
          observedGeneration: 1,
          lastTransitionTime: now,
        },
        {
          type: 'Succeeded',
          status: 'True',
          reason: 'Completed',
          message: '',
          observedGeneration: 1,
          lastTransitionTime: now,
        },
      ],
    },
  };
}

const empty = await startLocalCluster({ port: 0 });
const full = await startLocalCluster({ port: 0 });
process.on('message', async (msg) => {
  if (msg.cmd === 'fill') {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (let i = 0; i < msg.count; i++) full.store.put(TASKS_KEY, finishedTask(i, now));
    process.send({ filled: msg.count });
  } else if (msg.cmd === 'stop') {
    await Promise.all([empty.close(), full.close()]);
    process.exit(0);
  }
});
process.send({ empty: empty.kubeConfigYaml, full: full.kubeConfigYaml });
