import { curveKeyPair } from 'zeromq';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestClient, RequestTimeoutError, type Agent } from '../../src/agent/index.js';
import {
  TestPrincipal,
  client,
  runTask,
  silent,
  startAgent,
  startOnSameEndpoint,
} from './helpers.js';

describe('agent resilience', () => {
  const cleanup: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('serves while the principal is down and delivers every report once it is back', async () => {
    const first = new TestPrincipal();
    await first.start();
    const endpoint = first.endpoint;
    const agent: Agent = await startAgent(endpoint);
    cleanup.push(() => agent.stop(1000, 200));
    await first.until(() => first.registers.length > 0);
    await first.close();

    const rc = client(agent.endpoint);
    cleanup.push(() => {
      rc.close();
    });
    const tasks = [1, 2, 3].map((n) => runTask({ command: 'echo', args: [`r${n}`] }));
    for (const t of tasks) expect(await rc.request(t)).toMatchObject({ kind: 'OK' });

    const second = new TestPrincipal(endpoint);
    await startOnSameEndpoint(second);
    cleanup.push(() => second.close());
    for (const t of tasks) expect(await second.final(t.uid)).toMatchObject({ state: 'COMPLETE' });
    await second.until(() => second.registers.length > 0);
    for (const t of tasks) {
      const states = second.reportsOf(t.uid).map((r) => r.seq);
      expect(states).toEqual([...states].sort((a, b) => a - b));
    }
  });

  it('re-registers with the tasks it holds after the principal restarts', async () => {
    const first = new TestPrincipal();
    await first.start();
    const endpoint = first.endpoint;
    const agent = await startAgent(endpoint);
    cleanup.push(() => agent.stop(1000, 200));
    await first.until(() => first.registers.length > 0);
    const rc = client(agent.endpoint);
    cleanup.push(() => {
      rc.close();
    });
    const t = runTask({ command: 'sleep', args: ['5'] });
    await rc.request(t);
    await first.close();
    const second = new TestPrincipal(endpoint);
    await startOnSameEndpoint(second);
    cleanup.push(() => second.close());
    await second.until(() => second.registers.some((r) => r.held.some((h) => h.uid === t.uid)));
  });

  it('gives a request a deadline instead of hanging on a dead peer', async () => {
    const rc = new RequestClient({
      endpoint: 'tcp://127.0.0.1:1',
      deadlineMs: 200,
      logger: silent,
    });
    cleanup.push(() => {
      rc.close();
    });
    await expect(rc.request({ verb: 'PING' })).rejects.toBeInstanceOf(RequestTimeoutError);
  });

  it('runs nothing for a CURVE client whose key is not allowed', async () => {
    const agentKeys = curveKeyPair();
    const principalKeys = curveKeyPair();
    const stranger = curveKeyPair();
    const agent = await startAgent(undefined, {
      curveServer: { ...agentKeys, allowedClientKeys: [principalKeys.publicKey] },
    });
    cleanup.push(() => agent.stop(1000, 200));
    const marker = join(tmpdir(), `curve-stranger-${process.pid}-${Date.now()}`);
    const t = runTask({ command: 'touch', args: [marker] });

    const plain = client(agent.endpoint, 500);
    const bad = new RequestClient({
      endpoint: agent.endpoint,
      deadlineMs: 500,
      logger: silent,
      curve: { serverKey: agentKeys.publicKey, ...stranger },
    });
    const good = new RequestClient({
      endpoint: agent.endpoint,
      deadlineMs: 2000,
      logger: silent,
      curve: { serverKey: agentKeys.publicKey, ...principalKeys },
    });
    cleanup.push(
      () => {
        plain.close();
      },
      () => {
        bad.close();
      },
      () => {
        good.close();
      },
    );

    await expect(plain.request(t)).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(bad.request(t)).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(agent.tasks.held()).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    expect(await good.request({ verb: 'PING' })).toMatchObject({ kind: 'OK' });
  });
});
