import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalCluster } from '../../src/localcluster/index.js';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { toolPath } from '../../scripts/tools.js';
import { ROOT, runMake, untilGone } from './helpers.js';

/**
 * `make install` and `make run` against "the current kubeconfig": here a local control plane
 * started with no CRDs, named by KUBECONFIG as a developer's shell would have it.
 */

const exec = promisify(execFile);

describe('make install and make run', () => {
  let cluster: LocalCluster;
  let empty: string;
  let env: NodeJS.ProcessEnv;
  const kubectl = async (...args: string[]): Promise<string> =>
    (await exec(toolPath('kubectl'), ['--kubeconfig', cluster.kubeconfigPath, ...args])).stdout;

  beforeAll(async () => {
    empty = mkdtempSync(join(tmpdir(), 'no-crds-'));
    cluster = await startLocalCluster({ port: 0, crdDir: empty });
    env = { ...process.env, KUBECONFIG: cluster.kubeconfigPath };
  });

  afterAll(async () => {
    await cluster.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('make install applies the Task CRD server-side to the current cluster, twice in a row', async () => {
    await expect(kubectl('get', 'crd', 'tasks.taskrouter.io')).rejects.toThrow(/NotFound/);
    for (let i = 0; i < 2; i++) {
      const run = runMake(['install'], env);
      expect({ code: await run.exited, out: run.output() }).toMatchObject({ code: 0 });
      expect(run.output()).toContain('tasks.taskrouter.io serverside-applied');
    }
    expect(await kubectl('get', 'crd', 'tasks.taskrouter.io', '-o', 'name')).toContain(
      'tasks.taskrouter.io',
    );
  }, 60_000);

  it('make run reconciles Tasks of the current cluster until interrupted', async () => {
    // Port 0 everywhere: the defaults (5700, 8080) may be taken on a shared machine.
    const run = runMake(
      ['run', 'RUN_ARGS=--principal-listen tcp://127.0.0.1:0 --metrics-address 127.0.0.1:0'],
      env,
    );
    try {
      await run.waitForOutput(/"msg":"became leader"/);
      await kubectl('apply', '-f', join(ROOT, 'examples/hello.yaml'));
      // No agent runs, so the controller's answer is a Pending Task saying why.
      let reason = '';
      for (let i = 0; i < 100 && reason !== 'NoMatchingAgent'; i++) {
        reason = await kubectl('get', 'task', 'hello', '-o', 'jsonpath={.status.reason}');
        if (reason !== 'NoMatchingAgent') await new Promise((r) => setTimeout(r, 100));
      }
      expect(reason).toBe('NoMatchingAgent');
    } finally {
      run.signalGroup('SIGINT');
    }
    await run.exited;
    expect(run.output()).toContain('"msg":"controller stopped"');
    expect(await untilGone(run.seen())).toEqual([]);
  }, 60_000);
});
