import { curveKeyPair } from 'zeromq';
import { RequestClient } from '../../src/agent/request-client.js';
import { RequestTimeoutError } from '../../src/agent/request-client.js';
import { applyUntilSucceeded, startStack, waitFor } from './stack.js';
import type { Stack } from './stack.js';

describe('CURVE between the controller and its agents', () => {
  let stack: Stack;
  const clients: RequestClient[] = [];

  afterEach(async () => {
    for (const c of clients) c.close();
    await stack.close();
  });

  it('runs a Task when both sides hold the right keys, and admits no stranger', async () => {
    const principal = curveKeyPair();
    const agentKeys = curveKeyPair();
    stack = await startStack({
      curve: {
        server: {
          publicKey: principal.publicKey,
          secretKey: principal.secretKey,
          allowedClientKeys: [agentKeys.publicKey],
        },
        client: {
          serverKey: agentKeys.publicKey,
          publicKey: principal.publicKey,
          secretKey: principal.secretKey,
        },
      },
    });
    await stack.addAgent({
      instanceId: 'keyed',
      curveServer: {
        publicKey: agentKeys.publicKey,
        secretKey: agentKeys.secretKey,
        allowedClientKeys: [principal.publicKey],
      },
      curveClient: {
        serverKey: principal.publicKey,
        publicKey: agentKeys.publicKey,
        secretKey: agentKeys.secretKey,
      },
    });
    const ns = await stack.namespace('curve');
    await applyUntilSucceeded(stack, ns, 'hello.yaml', 'hello');

    // A client with a key of its own, not the agents' key, gets no answer from the principal.
    const stranger = curveKeyPair();
    const client = new RequestClient({
      endpoint: stack.controller.principalEndpoint,
      logger: stack.logger,
      deadlineMs: 1000,
      curve: { serverKey: principal.publicKey, ...stranger },
    });
    clients.push(client);
    await expect(
      client.request({
        verb: 'REGISTER',
        instanceId: 'intruder',
        endpoint: 'tcp://127.0.0.1:1',
        capacity: { slots: 64, cpuMillis: 0, memoryBytes: 0, queueLength: 64 },
        executors: ['SHELL'],
        labels: {},
        held: [],
      }),
    ).rejects.toBeInstanceOf(RequestTimeoutError);
    const agents = await waitFor(
      () => Promise.resolve(stack.controller.snapshot().agents),
      'a snapshot',
    );
    expect((agents.Ready ?? 0) + (agents.Full ?? 0)).toBe(1);
  });
});
