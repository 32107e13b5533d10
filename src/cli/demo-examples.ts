import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Phases } from '../api/index.js';
import type { TaskObject } from '../controller/kube/index.js';

/**
 * The example manifests `task-router demo` applies, and the outcome each one declares. Every Task
 * in examples/ says in annotations how it must end, so the demo can tell a working product from
 * a broken one instead of only printing what happened.
 */

/** Annotation naming the phase the Task must end in: `Complete` or `Failed`. Required. */
export const EXPECTED_PHASE = 'taskrouter.io/expected-phase';
/** Annotation naming the `status.reason` the Task must end with. Optional. */
export const EXPECTED_REASON = 'taskrouter.io/expected-reason';
/** Annotation giving the number of attempts the Task must end with. Optional. */
export const EXPECTED_ATTEMPTS = 'taskrouter.io/expected-attempts';
/** Annotation naming a Task (same namespace) that must start running after this one. Optional. */
export const EXPECTED_STARTS_BEFORE = 'taskrouter.io/expected-starts-before';

/** How one example Task must end. */
export interface Expectation {
  readonly phase: 'Complete' | 'Failed';
  readonly reason?: string;
  readonly attempts?: number;
  /** Name of a Task in the same namespace whose first attempt starts later than this one's. */
  readonly startsBefore?: string;
}

/** One Task found in the examples folder. */
export interface ExampleTask {
  /** File name within the folder. */
  readonly file: string;
  readonly namespace: string;
  readonly name: string;
  readonly expected: Expectation;
}

/** An example that cannot be checked: names the file, the field, what was expected and got. */
export class ExampleError extends Error {
  override readonly name = 'ExampleError';
}

/** `namespace/name`, the key examples and observed Tasks are matched on. */
export const exampleKey = (namespace: string, name: string): string => `${namespace}/${name}`;

interface RawDoc {
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; annotations?: Record<string, unknown> };
}

function readExpectation(file: string, name: string, notes: Record<string, unknown>): Expectation {
  const where = `${file}: Task ${name}: annotation`;
  const phase = notes[EXPECTED_PHASE];
  if (phase !== Phases.Complete && phase !== Phases.Failed) {
    throw new ExampleError(
      `${where} ${EXPECTED_PHASE}: expected Complete or Failed, got ${JSON.stringify(phase)}`,
    );
  }
  const reason = notes[EXPECTED_REASON];
  if (reason !== undefined && (typeof reason !== 'string' || !/^[A-Z][A-Za-z]*$/.test(reason))) {
    throw new ExampleError(
      `${where} ${EXPECTED_REASON}: expected a CamelCase reason, got ${JSON.stringify(reason)}`,
    );
  }
  const attempts = notes[EXPECTED_ATTEMPTS];
  if (attempts !== undefined && (typeof attempts !== 'string' || !/^[1-9][0-9]?$/.test(attempts))) {
    throw new ExampleError(
      `${where} ${EXPECTED_ATTEMPTS}: expected an integer 1-99 as a string, got ${JSON.stringify(attempts)}`,
    );
  }
  const before = notes[EXPECTED_STARTS_BEFORE];
  if (before !== undefined && (typeof before !== 'string' || before === '')) {
    throw new ExampleError(
      `${where} ${EXPECTED_STARTS_BEFORE}: expected a Task name, got ${JSON.stringify(before)}`,
    );
  }
  return {
    phase,
    ...(reason === undefined ? {} : { reason }),
    ...(attempts === undefined ? {} : { attempts: Number(attempts) }),
    ...(before === undefined ? {} : { startsBefore: before }),
  };
}

/** The Tasks of one manifest file (other kinds are skipped); `file` names it in errors. */
export function parseExamples(file: string, text: string): ExampleTask[] {
  const out: ExampleTask[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new ExampleError(`${file}: not valid YAML: ${doc.errors[0]?.message ?? ''}`);
    }
    const raw = doc.toJS() as RawDoc | null;
    if (raw === null || raw.kind !== 'Task') continue;
    const name = raw.metadata?.name;
    if (typeof name !== 'string' || name === '') {
      throw new ExampleError(
        `${file}: metadata.name: expected a name, got ${JSON.stringify(name)}`,
      );
    }
    const ns = raw.metadata?.namespace;
    out.push({
      file,
      namespace: typeof ns === 'string' && ns !== '' ? ns : 'default',
      name,
      expected: readExpectation(file, name, raw.metadata?.annotations ?? {}),
    });
  }
  return out;
}

/** Every Task in the `*.yaml` files of `dir`, in the order `kubectl apply -f dir` applies them. */
export function readExamples(dir: string): ExampleTask[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const tasks = files.flatMap((f) => parseExamples(f, readFileSync(join(dir, f), 'utf8')));
  if (tasks.length === 0) throw new ExampleError(`${dir}: expected Task manifests, found none`);
  const keys = new Set<string>();
  for (const t of tasks) {
    const key = exampleKey(t.namespace, t.name);
    if (keys.has(key)) throw new ExampleError(`${t.file}: Task ${key} is declared twice`);
    keys.add(key);
  }
  for (const t of tasks) {
    const other = t.expected.startsBefore;
    if (other !== undefined && !keys.has(exampleKey(t.namespace, other))) {
      throw new ExampleError(
        `${t.file}: Task ${t.name}: annotation ${EXPECTED_STARTS_BEFORE}: expected an example Task, got "${other}"`,
      );
    }
  }
  return tasks;
}

/** What is wrong with how `example` ended, given every observed Task by key; empty when right. */
export function checkExample(
  example: ExampleTask,
  observed: ReadonlyMap<string, TaskObject>,
): string[] {
  const task = observed.get(exampleKey(example.namespace, example.name));
  if (task === undefined) return ['not found in the cluster'];
  const status = task.status ?? {};
  const want = example.expected;
  const problems: string[] = [];
  if (status.phase !== want.phase) {
    problems.push(`phase: expected ${want.phase}, got ${status.phase ?? 'none'}`);
  }
  if (want.reason !== undefined && status.reason !== want.reason) {
    problems.push(`reason: expected ${want.reason}, got ${status.reason ?? 'none'}`);
  }
  if (want.attempts !== undefined && status.attempts !== want.attempts) {
    problems.push(`attempts: expected ${want.attempts}, got ${status.attempts ?? 'none'}`);
  }
  if (want.startsBefore !== undefined) {
    const later = observed.get(exampleKey(example.namespace, want.startsBefore))?.status;
    const mine = Date.parse(status.startTime ?? '');
    const theirs = Date.parse(later?.startTime ?? '');
    if (!(mine < theirs)) {
      problems.push(
        `start: expected before ${want.startsBefore} (${later?.startTime ?? 'never'}), got ${status.startTime ?? 'never'}`,
      );
    }
  }
  return problems;
}

/** Short form of an expectation for the result table, e.g. `Failed/Timeout`. */
export function describeExpectation(want: Expectation): string {
  return want.reason === undefined ? want.phase : `${want.phase}/${want.reason}`;
}
