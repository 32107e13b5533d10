import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TestPrincipal, client, runTask } from './helpers.js';

// Runs the built CLI (`npx tsc -p tsconfig.build.json` first), as a pod would.
const BIN = fileURLToPath(new URL('../../bin/task-router.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => {
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
}

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

describe('task-router agent', () => {
  let principal: TestPrincipal;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    principal = new TestPrincipal();
    await principal.start();
  });

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await principal.close();
  });

  async function spawnAgent(extra: string[]): Promise<string> {
    const listen = `tcp://127.0.0.1:${await freePort()}`;
    child = spawn(
      process.execPath,
      [
        BIN,
        'agent',
        '--listen',
        listen,
        '--principal',
        principal.endpoint,
        '--executors',
        'PROCESS,SHELL',
        ...extra,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
    );
    await principal.until(() => principal.registers.length > 0);
    return listen;
  }

  it('drains on SIGTERM: waiting tasks and those past the grace fail with AgentShutdown, exit 0', async () => {
    const listen = await spawnAgent(['--slots', '2', '--queue', '2', '--drain-grace-seconds', '1']);
    const rc = client(listen);
    const quick = runTask({ command: 'sleep', args: ['0.3'] });
    const slow = runTask({ command: 'sleep', args: ['30'] });
    const waiting = runTask({ command: 'sleep', args: ['1'] });
    for (const t of [quick, slow, waiting])
      expect(await rc.request(t)).toMatchObject({ kind: 'OK' });
    await principal.until(() => principal.reportsOf(waiting.uid).length > 0);
    child!.kill('SIGTERM');
    expect(await exited(child!)).toBe(0);
    rc.close();
    expect(await principal.final(quick.uid)).toMatchObject({ state: 'COMPLETE' });
    expect(await principal.final(slow.uid)).toMatchObject({
      state: 'FAILED',
      reason: 'AgentShutdown',
    });
    expect(await principal.final(waiting.uid)).toMatchObject({
      state: 'FAILED',
      reason: 'AgentShutdown',
    });
  });

  it('keeps its memory flat while a task prints hundreds of megabytes', async () => {
    const listen = await spawnAgent([]);
    const rc = client(listen);
    const pid = child!.pid!;
    const before = rssKiB(pid);
    const t = runTask({ executor: 'SHELL', command: 'yes | head -c 400000000' });
    await rc.request(t);
    const final = await principal.final(t.uid, 60_000);
    rc.close();
    expect(final).toMatchObject({ state: 'COMPLETE', outputTruncated: true });
    expect(final.output.length).toBe(16 * 1024);
    // Loose bound: buffering the output whole would add about 400 MB.
    expect(rssKiB(pid) - before).toBeLessThan(100 * 1024);
  }, 90_000);

  it('refuses a bad option, naming it', async () => {
    child = spawn(process.execPath, [BIN, 'agent', '--queue', '-1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(child)).toBe(1);
    expect(err).toContain('--queue: expected an integer >= 0, got "-1"');
  });
});
