import { readFileSync, readdirSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import fc from 'fast-check';
import {
  CATEGORY,
  CRD_NAME,
  GROUP,
  KIND,
  PLURAL,
  SHORT_NAME,
  VERSION,
  type Condition,
  type TaskSpec,
  type TaskStatus,
} from '../../src/api/index.js';
import { StructuralSchema, formatFieldError } from '../../src/localcluster/schema.js';

type Obj = Record<string, unknown>;

const crd = parse(readFileSync('crds/taskrouter.io_tasks.yaml', 'utf8')) as {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames: string[]; categories: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: Obj;
      additionalPrinterColumns: { name: string; priority?: number }[];
      schema: { openAPIV3Schema: Obj & { properties: Record<string, Obj & { properties: Obj }> } };
    }[];
  };
};
const version = crd.spec.versions[0]!;
const openAPIV3Schema = version.schema.openAPIV3Schema;
const schema = new StructuralSchema(openAPIV3Schema);

function fixtureObjects(file: string): Obj[] {
  return parseAllDocuments(readFileSync(`test/fixtures/${file}`, 'utf8'))
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

function admit(obj: Obj, old?: Obj): string[] {
  schema.applyDefaults(obj);
  schema.prune(obj);
  return schema.validate(obj, old).map(formatFieldError);
}

// The compiler checks these lists against the interfaces, and the test checks them against the
// CRD, so a field added on one side only fails the build or the test.
const specKeys = {
  executor: true,
  command: true,
  args: true,
  env: true,
  workingDir: true,
  resources: true,
  agentSelector: true,
  timeoutSeconds: true,
  retries: true,
  priority: true,
  ttlSecondsAfterFinished: true,
} satisfies Record<keyof TaskSpec, true>;
const statusKeys = {
  phase: true,
  agent: true,
  attempts: true,
  startTime: true,
  completionTime: true,
  exitCode: true,
  signal: true,
  reason: true,
  message: true,
  output: true,
  outputTruncated: true,
  observedGeneration: true,
  conditions: true,
} satisfies Record<keyof TaskStatus, true>;
const conditionKeys = {
  type: true,
  status: true,
  observedGeneration: true,
  lastTransitionTime: true,
  reason: true,
  message: true,
} satisfies Record<keyof Condition, true>;

describe('the Task CRD', () => {
  it('names the group, version, kind and plural the code uses', () => {
    expect(crd.metadata.name).toBe(CRD_NAME);
    expect(crd.spec.group).toBe(GROUP);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toMatchObject({ kind: KIND, plural: PLURAL, categories: [CATEGORY] });
    expect(crd.spec.names.shortNames).toEqual([SHORT_NAME]);
    expect(['task', 'tasks', 'tk']).not.toContain(SHORT_NAME);
    expect(version).toMatchObject({ name: VERSION, served: true, storage: true });
    expect(version.subresources).toEqual({ status: {} });
  });

  it('shows Phase, Agent, Exit, Attempts and Age, and Reason only in wide output', () => {
    const cols = version.additionalPrinterColumns;
    expect(cols.filter((c) => c.priority === undefined).map((c) => c.name)).toEqual([
      'Phase',
      'Agent',
      'Exit',
      'Attempts',
      'Age',
    ]);
    expect(cols.find((c) => c.name === 'Reason')?.priority).toBe(1);
  });

  it('keeps spec, status and condition fields in step with the TypeScript types', () => {
    const props = openAPIV3Schema.properties;
    expect(Object.keys(props.spec!.properties).sort()).toEqual(Object.keys(specKeys).sort());
    expect(Object.keys(props.status!.properties).sort()).toEqual(Object.keys(statusKeys).sort());
    const conditions = (props.status!.properties as Record<string, { items: { properties: Obj } }>)
      .conditions!;
    expect(Object.keys(conditions.items.properties).sort()).toEqual(
      Object.keys(conditionKeys).sort(),
    );
  });

  it('documents every field', () => {
    const undocumented: string[] = [];
    const walk = (node: Obj, path: string): void => {
      if (path !== '.metadata' && typeof node.description !== 'string') undocumented.push(path);
      for (const [k, v] of Object.entries(
        (node.properties as Record<string, Obj> | undefined) ?? {},
      )) {
        walk(v, `${path}.${k}`);
      }
      if (node.items) walk(node.items as Obj, `${path}[]`);
    };
    walk(openAPIV3Schema, '');
    expect(undocumented).toEqual([]);
  });
});

describe('the shared cases against the Task schema', () => {
  const good = readdirSync('test/fixtures').filter((f) => f.endsWith('.yaml'));

  it.each(good)('%s validates clean after defaulting', (file) => {
    const objects = fixtureObjects(file);
    expect(objects.length).toBeGreaterThan(0);
    for (const obj of objects) {
      expect(admit(obj)).toEqual([]);
      expect(obj.spec).toMatchObject({ retries: 0, priority: 0 });
      expect(['PROCESS', 'SHELL']).toContain((obj.spec as Obj).executor);
    }
  });

  const bad: [string, string][] = [
    ['missing-command.yaml', 'spec.command: Required value'],
    [
      'negative-timeout.yaml',
      'spec.timeoutSeconds: Invalid value: -5: spec.timeoutSeconds in body should be greater than or equal to 1',
    ],
    [
      'unknown-executor.yaml',
      'spec.executor: Unsupported value: "TELEPORT": supported values: "PROCESS", "SHELL"',
    ],
    [
      'wrong-type.yaml',
      'spec.args: Invalid value: "string": spec.args in body must be of type array: "string"',
    ],
  ];

  it('has a test for every bad fixture', () => {
    expect(readdirSync('test/fixtures/bad').sort()).toEqual(bad.map(([f]) => f).sort());
  });

  it.each(bad)('bad/%s is refused with an error naming its field', (file, expected) => {
    const [obj] = fixtureObjects(`bad/${file}`);
    expect(admit(obj!)[0]).toBe(expected);
  });
});

describe('Task rules', () => {
  const base = (): Obj => ({
    apiVersion: `${GROUP}/${VERSION}`,
    kind: KIND,
    metadata: { name: 't' },
    spec: { command: 'echo', args: ['a'], env: [{ name: 'A', value: '1' }] },
  });

  it('lets priority and ttlSecondsAfterFinished change but nothing else in spec', () => {
    const old = base();
    admit(old);
    const ok = structuredClone(old);
    Object.assign(ok.spec as Obj, { priority: 7, ttlSecondsAfterFinished: 60 });
    expect(admit(ok, old)).toEqual([]);
    for (const change of [
      { command: 'ls' },
      { args: ['b'] },
      { env: [{ name: 'A', value: '2' }] },
      { timeoutSeconds: 5 },
      { executor: 'SHELL' },
    ]) {
      const next = structuredClone(old);
      Object.assign(next.spec as Obj, change);
      expect(admit(next, old)).toEqual([
        'spec: Invalid value: "object": spec is immutable except priority and ttlSecondsAfterFinished',
      ]);
    }
  });

  it('never lets a terminal phase change, whatever arrives late', () => {
    const old = { ...base(), status: { phase: 'Complete' } };
    admit(old);
    for (const phase of ['Pending', 'Waiting', 'Running', 'Failed']) {
      const next = { ...structuredClone(old), status: { phase } };
      expect(admit(next, old)).toEqual([
        'status: Invalid value: "object": a Task in a terminal phase (Complete or Failed) never changes phase',
      ]);
    }
    const running = { ...structuredClone(old), status: { phase: 'Running' } };
    expect(admit({ ...structuredClone(old), status: { phase: 'Complete' } }, running)).toEqual([]);
  });

  it('refuses duplicate env names and In without values', () => {
    const obj = base();
    Object.assign(obj.spec as Obj, {
      env: [{ name: 'A' }, { name: 'A' }],
      agentSelector: { matchExpressions: [{ key: 'gpu', operator: 'In' }] },
    });
    expect(admit(obj)).toEqual([
      'spec.env[1]: Duplicate value: {"name":"A"}',
      'spec.agentSelector.matchExpressions[0]: Invalid value: "object": values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
    ]);
    (obj.spec as Obj).env = [{ name: 'A' }];
    (obj.spec as Obj).agentSelector = {
      matchExpressions: [{ key: 'gpu', operator: 'In', values: ['a'] }],
    };
    expect(admit(obj)).toEqual([]);
  });

  it('accepts args of any content, byte-exact', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (args) => {
        const obj = base();
        (obj.spec as Obj).args = args;
        return admit(obj).length === 0 && (obj.spec as Obj).args === args;
      }),
    );
  });

  it('bounds status.output at 16 KiB', () => {
    const obj = { ...base(), status: { output: 'x'.repeat(16385) } };
    expect(admit(obj)[0]).toBe('status.output: Too long: may not be more than 16384 bytes');
  });

  it('accepts quantities and refuses malformed ones', () => {
    const obj = base();
    (obj.spec as Obj).resources = { cpu: '500m', memory: 1024 };
    expect(admit(obj)).toEqual([]);
    (obj.spec as Obj).resources = { cpu: 'lots' };
    expect(admit(obj)[0]).toMatch(/^spec\.resources\.cpu: Invalid value: "lots": .* should match/);
  });
});
