// A child process for the memory benchmark: one controller alone in its process, so its RSS is
// its own. Reports its RSS (after a collection), reconciles done and agents known over IPC.
import { pino } from 'pino';
import { Controller } from '../../dist/controller/controller.js';
import { loadKubeConfig } from '../../dist/controller/kube/index.js';

let reconciled = 0;
const noop = () => undefined;
let controller;
process.on('message', async (msg) => {
  if (msg.cmd === 'start') {
    controller = new Controller({
      kubeConfig: loadKubeConfig({ kubeconfigYaml: msg.kubeConfigYaml }),
      logger: pino({ level: 'silent' }),
      principalListen: 'tcp://127.0.0.1:0',
      // The benchmark registers agents once; they must not be swept while it measures.
      agentTimeoutMs: 3_600_000,
      metrics: {
        reconciled: () => {
          reconciled += 1;
        },
        dispatched: noop,
        dispatchFailed: noop,
        retried: noop,
        finished: noop,
        queueWait: noop,
      },
    });
    await controller.start();
    process.send({ principal: controller.principalEndpoint });
  } else if (msg.cmd === 'stats') {
    globalThis.gc?.();
    const m = process.memoryUsage();
    process.send({
      rssMiB: m.rss / 2 ** 20,
      heapMiB: m.heapUsed / 2 ** 20,
      reconciled,
      agents: Object.values(controller?.snapshot().agents ?? {}).reduce((a, b) => a + b, 0),
    });
  } else if (msg.cmd === 'stop') {
    await controller?.stop();
    process.exit(0);
  }
});
process.send({ ready: true });
