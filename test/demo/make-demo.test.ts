import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExamples } from '../../src/cli/demo-examples.js';
import { ROOT, runMake, untilGone } from './helpers.js';

/**
 * `make demo` exactly as the README tells a newcomer to run it: in the repository, as a child
 * process, in its own process group like a terminal's foreground job. The demo starts the whole
 * product (control plane, controller, two agents) and real kubectl; these tests check what a
 * person would see and that nothing keeps running afterwards.
 */

const examples = readExamples(join(ROOT, 'examples'));

describe('make demo', () => {
  it('runs every example to the outcome it declares, exits 0 and leaves nothing running', async () => {
    const run = runMake(['demo']);
    const code = await run.exited;
    const out = run.output();
    expect({ code, out }).toMatchObject({ code: 0 });

    expect(out).toContain('$ kubectl apply -f examples/');
    for (const e of examples) {
      expect(out).toMatch(new RegExp(`task\\.taskrouter\\.io/${e.name} created`));
      expect(out).toMatch(new RegExp(`^  ${e.name} +\\S+ +\\S+ +ok$`, 'm'));
    }
    // Progress goes to a pipe here, so it comes as plain lines, the last with everything ended.
    const progress = [
      ...out.matchAll(/^done +(\d+) +running +(\d+) +waiting +(\d+) .*failed +(\d+) +of (\d+)/gm),
    ];
    expect(progress.length).toBeGreaterThan(1);
    const last = progress.at(-1)!;
    expect(Number(last[1]) + Number(last[4])).toBe(examples.length);
    expect(Number(last[5])).toBe(examples.length);
    expect(out).not.toContain('\x1b[K');
    // The queue example shows Tasks Waiting on the busy one-slot agent.
    expect(out).toMatch(/^seen Waiting on a busy agent: .*queue-/m);

    expect(out).toContain('$ kubectl get tasks -o wide');
    expect(out).toMatch(/^NAME +PHASE +AGENT +EXIT +ATTEMPTS +REASON +AGE$/m);
    expect(out).toMatch(/^retry +Complete +local-agent-\d +0 +2 +Completed /m);
    expect(out).toMatch(/^too-slow +Failed +local-agent-\d +1 +Timeout /m);
    // One Task's whole object, status included.
    expect(out).toMatch(/^status:\n( {2}.*\n)* {2}output: \|\n {4}hello world\n/m);
    expect(out).toMatch(new RegExp(`all ${examples.length} example Tasks ended as expected`));

    const left = await untilGone(run.seen());
    expect(left).toEqual([]);
  }, 120_000);

  it('stops everything it started on Ctrl-C and exits non-zero', async () => {
    const run = runMake(['demo']);
    try {
      // Wait for commands on the agents, so there is something to stop.
      await run.waitForOutput(/^done .* running +[1-9]/m);
      expect(run.seen().map((p) => p.command)).toEqual(expect.arrayContaining(['sleep']));
    } finally {
      run.signalGroup('SIGINT');
    }
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toContain('received SIGINT: stopping everything the demo started');
    expect(run.output()).not.toContain('ended as expected');
    const left = await untilGone(run.seen());
    expect(left).toEqual([]);
  }, 120_000);

  it('exits non-zero and names the example when one ends other than it declares', async () => {
    // Same demo, pointed at a folder where hello claims it will fail.
    const dir = mkdtempSync(join(tmpdir(), 'demo-examples-'));
    writeFileSync(
      join(dir, 'hello.yaml'),
      [
        'apiVersion: taskrouter.io/v1alpha1',
        'kind: Task',
        'metadata:',
        '  name: hello',
        '  annotations:',
        '    taskrouter.io/expected-phase: Failed',
        'spec:',
        '  command: echo',
        "  args: ['hello world']",
      ].join('\n'),
    );
    try {
      const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(ROOT, 'bin/task-router.js'), 'demo', '--examples', dir],
          { cwd: ROOT },
          (err, stdout, stderr) => {
            resolve({ code: err === null ? 0 : (err.code as number | null), out: stdout + stderr });
          },
        );
      });
      expect(result.code).toBe(1);
      expect(result.out).toMatch(
        /^ {2}hello +Failed +Complete\/Completed +WRONG: phase: expected Failed, got Complete$/m,
      );
      expect(result.out).toContain('task-router: 1 problem(s)');
      expect(result.out).not.toContain('ended as expected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
