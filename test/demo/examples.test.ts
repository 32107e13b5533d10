import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskObject } from '../../src/controller/kube/index.js';
import {
  checkExample,
  ExampleError,
  exampleKey,
  parseExamples,
  readExamples,
} from '../../src/cli/demo-examples.js';
import type { ExampleTask } from '../../src/cli/demo-examples.js';
import { countProgress, ProgressView } from '../../src/cli/demo-progress.js';
import { ROOT } from './helpers.js';

const dir = join(ROOT, 'examples');

const task = (name: string, status: TaskObject['status']): TaskObject => ({
  metadata: { name, namespace: 'default' },
  ...(status === undefined ? {} : { status }),
});
const byKey = (...tasks: TaskObject[]): Map<string, TaskObject> =>
  new Map(tasks.map((t) => [exampleKey('default', t.metadata?.name ?? ''), t]));

const manifest = (annotations: Record<string, string>): string =>
  JSON.stringify({
    apiVersion: 'taskrouter.io/v1alpha1',
    kind: 'Task',
    metadata: { name: 't', annotations },
    spec: { command: 'true' },
  });

describe('examples/', () => {
  it('has every example the README promises, each opening with a comment on what it shows', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual([
      'agent-selector.yaml',
      'failing.yaml',
      'full-queue.yaml',
      'hello.yaml',
      'priority.yaml',
      'retry.yaml',
      'timeout.yaml',
    ]);
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^# \S.{20,}/);
  });

  it('declares an expected outcome on every Task', () => {
    const tasks = readExamples(dir);
    expect(tasks.length).toBeGreaterThanOrEqual(7);
    const phases = new Set(tasks.map((t) => t.expected.phase));
    expect(phases).toEqual(new Set(['Complete', 'Failed']));
  });

  it('applies the full queue before the priority pair, which the priority check relies on', () => {
    const names = readExamples(dir).map((t) => t.name);
    expect(names.indexOf('queue-3')).toBeLessThan(names.indexOf('priority-low'));
    expect(names.indexOf('priority-low')).toBeLessThan(names.indexOf('priority-high'));
  });
});

describe('parseExamples', () => {
  it.each([
    [{}, /expected-phase: expected Complete or Failed, got undefined/],
    [{ 'taskrouter.io/expected-phase': 'Running' }, /expected Complete or Failed, got "Running"/],
    [
      { 'taskrouter.io/expected-phase': 'Failed', 'taskrouter.io/expected-attempts': 'two' },
      /expected-attempts: expected an integer 1-99 as a string, got "two"/,
    ],
    [
      { 'taskrouter.io/expected-phase': 'Failed', 'taskrouter.io/expected-reason': 'exit code' },
      /expected-reason: expected a CamelCase reason, got "exit code"/,
    ],
  ])('refuses annotations %j naming the file and field', (annotations, message) => {
    expect(() => parseExamples('x.yaml', manifest(annotations))).toThrow(ExampleError);
    expect(() => parseExamples('x.yaml', manifest(annotations))).toThrow(message);
    expect(() => parseExamples('x.yaml', manifest(annotations))).toThrow(/^x\.yaml: Task t:/);
  });

  it('skips documents of other kinds and defaults the namespace', () => {
    const text = `kind: Namespace\nmetadata: {name: demo}\n---\n${manifest({
      'taskrouter.io/expected-phase': 'Complete',
      'taskrouter.io/expected-attempts': '2',
    })}`;
    expect(parseExamples('x.yaml', text)).toEqual([
      {
        file: 'x.yaml',
        namespace: 'default',
        name: 't',
        expected: { phase: 'Complete', attempts: 2 },
      },
    ]);
  });
});

describe('checkExample', () => {
  const example = (expected: ExampleTask['expected']): ExampleTask => ({
    file: 'x.yaml',
    namespace: 'default',
    name: 't',
    expected,
  });

  it.each<[string, ExampleTask['expected'], TaskObject['status'], string[]]>([
    ['a match', { phase: 'Complete' }, { phase: 'Complete', reason: 'Completed' }, []],
    [
      'a wrong phase',
      { phase: 'Failed' },
      { phase: 'Complete' },
      ['phase: expected Failed, got Complete'],
    ],
    ['no status yet', { phase: 'Complete' }, undefined, ['phase: expected Complete, got none']],
    [
      'a wrong reason',
      { phase: 'Failed', reason: 'Timeout' },
      { phase: 'Failed', reason: 'ExitCode' },
      ['reason: expected Timeout, got ExitCode'],
    ],
    [
      'too few attempts',
      { phase: 'Complete', attempts: 2 },
      { phase: 'Complete', attempts: 1 },
      ['attempts: expected 2, got 1'],
    ],
  ])('reports %s', (_what, expected, status, problems) => {
    expect(checkExample(example(expected), byKey(task('t', status)))).toEqual(problems);
  });

  it('reports a Task missing from the cluster', () => {
    expect(checkExample(example({ phase: 'Complete' }), byKey())).toEqual([
      'not found in the cluster',
    ]);
  });

  it('checks start order, and that equal or missing start times do not pass', () => {
    const want = example({ phase: 'Complete', startsBefore: 'other' });
    const at = (t: string, o: string | undefined) =>
      checkExample(
        want,
        byKey(
          task('t', { phase: 'Complete', startTime: t }),
          task(
            'other',
            o === undefined ? { phase: 'Complete' } : { phase: 'Complete', startTime: o },
          ),
        ),
      );
    expect(at('2030-01-01T00:00:01Z', '2030-01-01T00:00:02Z')).toEqual([]);
    expect(at('2030-01-01T00:00:02Z', '2030-01-01T00:00:02Z')).toHaveLength(1);
    expect(at('2030-01-01T00:00:03Z', '2030-01-01T00:00:02Z')).toHaveLength(1);
    expect(at('2030-01-01T00:00:01Z', undefined)).toEqual([
      'start: expected before other (never), got 2030-01-01T00:00:01Z',
    ]);
  });
});

describe('progress', () => {
  const examples = ['a', 'b', 'c', 'd', 'e', 'f'].map((name): ExampleTask => ({
    file: 'x.yaml',
    namespace: 'default',
    name,
    expected: { phase: 'Complete' },
  }));
  const observed = byKey(
    task('a', { phase: 'Complete' }),
    task('b', { phase: 'Failed' }),
    task('c', { phase: 'Running' }),
    task('d', { phase: 'Waiting' }),
    task('e', { phase: 'Pending' }),
    task('unrelated', { phase: 'Running' }),
  );

  it('counts examples by phase, a Task not yet seen as pending, and ignores other Tasks', () => {
    expect(countProgress(examples, observed)).toEqual({
      done: 1,
      failed: 1,
      running: 1,
      waiting: 1,
      pending: 2,
      total: 6,
    });
  });

  it('redraws one line in place on a terminal', () => {
    const chunks: string[] = [];
    const view = new ProgressView({ isTTY: true, write: (c: string) => chunks.push(c) });
    view.update(countProgress(examples, observed), 1000);
    view.update(countProgress(examples, observed), 1200);
    view.finish();
    expect(chunks).toHaveLength(3);
    const [first] = chunks;
    expect(first?.startsWith('\r\x1b[K')).toBe(true);
    expect(first?.slice(4)).toMatch(
      /^done +1 +running +1 +waiting +1 +pending +2 +failed +1 +of 6 +\( +1\.0 s\)$/,
    );
    expect(chunks[2]).toBe('\n');
  });

  it('prints plain lines elsewhere, one per change of the counts', () => {
    const chunks: string[] = [];
    const view = new ProgressView({ write: (c: string) => chunks.push(c) });
    view.update(countProgress(examples, observed), 1000);
    view.update(countProgress(examples, observed), 1200);
    view.update(countProgress(examples, new Map()), 1400);
    view.finish();
    expect(chunks).toHaveLength(2);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(chunks[1]).toMatch(/pending +6/);
  });
});
