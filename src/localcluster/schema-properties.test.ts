import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from 'yaml';
import { StructuralSchema, formatFieldError } from './schema.js';

const crd = parse(readFileSync('crds/taskrouter.io_tasks.yaml', 'utf8')) as {
  spec: { versions: { schema: { openAPIV3Schema: unknown } }[] };
};
const taskSchema = new StructuralSchema(crd.spec.versions[0]?.schema.openAPIV3Schema);

const known = new StructuralSchema({
  type: 'object',
  properties: {
    a: { type: 'string' },
    b: { type: 'object', properties: { c: { type: 'integer' } } },
    l: { type: 'array', items: { type: 'object', properties: { d: { type: 'boolean' } } } },
  },
});

const knownValue = fc.record(
  {
    a: fc.string(),
    b: fc.record({ c: fc.integer() }, { requiredKeys: [] }),
    l: fc.array(fc.record({ d: fc.boolean() }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

const unknownKey = fc.string().filter((k) => !['a', 'b', 'l', '__proto__'].includes(k));

describe('schema engine properties', () => {
  it('prune never removes a known field', () => {
    fc.assert(
      fc.property(knownValue, fc.dictionary(unknownKey, fc.jsonValue()), (value, extra) => {
        const obj: Record<string, unknown> = { ...extra, ...structuredClone(value) };
        const removed = known.prune(obj);
        expect(removed.every((p) => !['a', 'b', 'l'].includes(p))).toBe(true);
        expect(obj).toEqual(value);
      }),
    );
  });

  it('prune is idempotent and leaves nothing for a second pass', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (raw) => {
        const obj = structuredClone(raw);
        taskSchema.prune(obj);
        expect(taskSchema.prune(obj)).toEqual([]);
      }),
    );
  });

  it('defaults, prunes and validates arbitrary JSON without throwing', () => {
    const spec = fc.dictionary(
      fc.constantFrom('command', 'args', 'env', 'executor', 'timeoutSeconds', 'resources', 'x'),
      fc.jsonValue({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(spec, fc.option(fc.jsonValue({ maxDepth: 3 })), (s, status) => {
        const obj: Record<string, unknown> = { apiVersion: 'taskrouter.io/v1alpha1', spec: s };
        if (status !== null) obj.status = status;
        taskSchema.applyDefaults(obj);
        taskSchema.prune(obj);
        const old = structuredClone(obj);
        for (const e of taskSchema.validate(obj, old)) {
          expect(formatFieldError(e)).toMatch(/^[^:]+: /);
        }
      }),
    );
  });
});
