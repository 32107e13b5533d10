/* eslint-disable @typescript-eslint/no-unsafe-member-access -- assertions read JSON replies loosely */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { startLocalCluster } from '../../src/localcluster/index.js';
import { api, freshNamespace, kubectlFor, task, tasksPath, toolPath } from './helpers.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

describe('the real kubectl against the local control plane', () => {
  let c: LocalCluster;
  let kubectl: ReturnType<typeof kubectlFor>;

  beforeAll(async () => {
    c = await startLocalCluster();
    kubectl = kubectlFor(c);
  });
  afterAll(async () => {
    kubectl.cleanup();
    await c.close();
  });

  it('applies hello.yaml and shows the printer columns in get', async () => {
    const ns = await freshNamespace(c);
    const applied = await kubectl(['apply', '-n', ns, '-f', join(fixtures, 'hello.yaml')]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('task.taskrouter.io/hello created');
    const got = await kubectl(['get', 'tasks', '-n', ns]);
    expect(got.code).toBe(0);
    const [header, row] = got.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'PHASE', 'AGENT', 'EXIT', 'ATTEMPTS', 'AGE']);
    expect(row).toMatch(/^hello\s+\d+s$/);
  });

  it('shows status columns after a status patch and the wide columns with -o wide', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('t1'));
    const p = await kubectl([
      'patch',
      'task',
      't1',
      '-n',
      ns,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Complete","exitCode":0,"agent":"a-1","attempts":1}}',
    ]);
    expect(p.code).toBe(0);
    const got = await kubectl(['get', 'tasks', '-n', ns, '-o', 'wide']);
    const row = got.stdout.trim().split('\n')[1]?.split(/\s+/);
    expect(row?.slice(0, 5)).toEqual(['t1', 'Complete', 'a-1', '0', '1']);
    expect(got.stdout.split('\n')[0]).toMatch(/REASON/);
  });

  it('describes a Task', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('d1', { command: 'echo', args: ['x y'] }));
    const d = await kubectl(['describe', 'task', 'd1', '-n', ns]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/Name:\s+d1/);
    expect(d.stdout).toMatch(/Command:\s+echo/);
  });

  it('patches with merge and json patches and labels, then selects by label', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('p1'));
    expect(
      (
        await kubectl([
          'patch',
          'task',
          'p1',
          '-n',
          ns,
          '--type=merge',
          '-p',
          '{"spec":{"priority":7}}',
        ])
      ).code,
    ).toBe(0);
    expect(
      (
        await kubectl([
          'patch',
          'task',
          'p1',
          '-n',
          ns,
          '--type=json',
          '-p',
          '[{"op":"add","path":"/metadata/annotations","value":{"a":"b"}}]',
        ])
      ).code,
    ).toBe(0);
    expect((await kubectl(['label', 'task', 'p1', '-n', ns, 'team=blue'])).code).toBe(0);
    const r = await api(c, 'GET', tasksPath(ns, 'p1'));
    expect(r.body.spec.priority).toBe(7);
    expect(r.body.metadata.annotations).toEqual({ a: 'b' });
    expect(r.body.metadata.labels).toEqual({ team: 'blue' });
    const sel = await kubectl(['get', 'tasks', '-n', ns, '-l', 'team in (blue,red)', '-o', 'name']);
    expect(sel.stdout.trim()).toBe('task.taskrouter.io/p1');
    const none = await kubectl(['get', 'tasks', '-n', ns, '-l', 'team!=blue', '-o', 'name']);
    expect(none.stdout.trim()).toBe('');
  });

  it('waits for a jsonpath condition that a later status write makes true', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('w1'));
    const waiting = kubectl([
      'wait',
      '-n',
      ns,
      '--for=jsonpath={.status.phase}=Complete',
      'task/w1',
      '--timeout=15s',
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await api(
      c,
      'PATCH',
      `${tasksPath(ns, 'w1')}/status`,
      { status: { phase: 'Complete' } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    const w = await waiting;
    expect(w.stdout).toContain('condition met');
    expect(w.code).toBe(0);
  });

  it('sees a change in get -w', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('g1'));
    const child = spawn(toolPath('kubectl'), [...kubectl.base, 'get', 'tasks', '-n', ns, '-w']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      for (let i = 0; i < 100 && !out.includes('g1'); i++)
        await new Promise((r) => setTimeout(r, 50));
      await api(
        c,
        'PATCH',
        `${tasksPath(ns, 'g1')}/status`,
        { status: { phase: 'Running', agent: 'agent-7' } },
        { 'Content-Type': 'application/merge-patch+json' },
      );
      for (let i = 0; i < 100 && !out.includes('agent-7'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(/g1\s+Running\s+agent-7/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('deletes a Task, holding it while a finalizer remains', async () => {
    const ns = await freshNamespace(c);
    await api(
      c,
      'POST',
      tasksPath(ns),
      task('f1', undefined, { finalizers: ['taskrouter.io/cancel'] }),
    );
    const del = await kubectl(['delete', 'task', 'f1', '-n', ns, '--wait=false']);
    expect(del.stdout).toContain('deleted');
    const held = await api(c, 'GET', tasksPath(ns, 'f1'));
    expect(held.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    await kubectl([
      'patch',
      'task',
      'f1',
      '-n',
      ns,
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    expect((await api(c, 'GET', tasksPath(ns, 'f1'))).status).toBe(404);
    await api(c, 'POST', tasksPath(ns), task('f2'));
    expect((await kubectl(['delete', 'task', 'f2', '-n', ns])).code).toBe(0);
    expect((await kubectl(['get', 'tasks', '-n', ns, '-o', 'name'])).stdout.trim()).toBe('');
  });

  it('server-side applies a Task and records the field manager', async () => {
    const ns = await freshNamespace(c);
    const ssa = await kubectl([
      'apply',
      '--server-side',
      '-n',
      ns,
      '-f',
      join(fixtures, 'hello.yaml'),
    ]);
    expect(ssa.stdout).toContain('serverside-applied');
    const r = await api(c, 'GET', tasksPath(ns, 'hello'));
    const managers = (
      r.body.metadata.managedFields as { manager: string; operation: string }[]
    ).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toContain('kubectl/Apply');
    expect(r.body.spec.args).toEqual(['hello world']);
  });

  const bad = readdirSync(join(fixtures, 'bad')).filter((f) => f.endsWith('.yaml'));
  const fieldOf: Record<string, string> = {
    'missing-command.yaml': 'spec.command',
    'negative-timeout.yaml': 'spec.timeoutSeconds',
    'unknown-executor.yaml': 'spec.executor',
    'wrong-type.yaml': 'spec.args',
  };
  it.each(bad)('refuses bad/%s naming the field and stores nothing', async (file) => {
    const ns = await freshNamespace(c);
    const r = await kubectl(['apply', '-n', ns, '-f', join(fixtures, 'bad', file)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(fieldOf[file] ?? 'spec.');
    const name = /name:\s*(\S+)/.exec(readFileSync(join(fixtures, 'bad', file), 'utf8'))?.[1] ?? '';
    expect((await api(c, 'GET', tasksPath(ns, name))).status).toBe(404);
  });

  it('creates and labels built-in kinds through apply', async () => {
    const ns = await freshNamespace(c);
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\ndata:\n  a: b\n`;
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], cm)).code).toBe(0);
    const again = await kubectl(['apply', '-n', ns, '-f', '-'], cm.replace('a: b', 'a: c'));
    expect(again.stdout).toContain('configured');
    const got = await api(c, 'GET', `/api/v1/namespaces/${ns}/configmaps/cm1`);
    expect(got.body.data).toEqual({ a: 'c' });
    expect((await kubectl(['get', 'configmaps', '-n', ns])).stdout).toMatch(/cm1/);
  });
});
