import { StructuralSchema, SchemaCompileError, formatFieldError } from './schema.js';

function schemaWith(spec: Record<string, unknown>): StructuralSchema {
  return new StructuralSchema({ type: 'object', properties: { spec } });
}

function check(s: StructuralSchema, spec: unknown, oldSpec?: unknown): string[] {
  const old = oldSpec === undefined ? undefined : { spec: oldSpec };
  return s.validate({ spec }, old).map(formatFieldError);
}

describe('CEL rules', () => {
  const ranged = schemaWith({
    type: 'object',
    properties: { min: { type: 'integer' }, max: { type: 'integer' }, name: { type: 'string' } },
    'x-kubernetes-validations': [
      { rule: 'self.min <= self.max', message: 'min must not exceed max' },
      { rule: "!has(self.name) || self.name.startsWith('t-')" },
      {
        rule: 'self.max < 100',
        messageExpression: "'max is ' + string(self.max) + ', limit 100'",
        fieldPath: '.max',
      },
    ],
  });

  it('passes when every rule holds', () => {
    expect(check(ranged, { min: 1, max: 2, name: 't-x' })).toEqual([]);
  });

  it('reports a failed rule with its message at the node it sits on', () => {
    expect(check(ranged, { min: 3, max: 2 })).toEqual([
      'spec: Invalid value: "object": min must not exceed max',
    ]);
  });

  it('reports the rule text when the rule has no message', () => {
    expect(check(ranged, { min: 1, max: 2, name: 'x' })).toEqual([
      'spec: Invalid value: "object": failed rule: !has(self.name) || self.name.startsWith(\'t-\')',
    ]);
  });

  it('uses messageExpression and fieldPath', () => {
    expect(check(ranged, { min: 1, max: 200 })).toEqual([
      'spec.max: Invalid value: "object": max is 200, limit 100',
    ]);
  });

  it('reports an evaluation error as the API server does', () => {
    expect(check(ranged, { min: 1 })).toEqual([
      'spec: Invalid value: "object": no such key: max evaluating rule: min must not exceed max',
      'spec.max: Invalid value: "object": no such key: max evaluating rule: self.max < 100',
    ]);
  });

  const phased = schemaWith({
    type: 'object',
    properties: { phase: { type: 'string' } },
    'x-kubernetes-validations': [
      {
        rule: "oldSelf.phase != 'Done' || self.phase == 'Done'",
        message: 'Done is final',
        reason: 'FieldValueForbidden',
      },
    ],
  });

  it('skips a transition rule on create', () => {
    expect(check(phased, { phase: 'Running' })).toEqual([]);
  });

  it('runs a transition rule on update, with the reason it names', () => {
    expect(check(phased, { phase: 'Running' }, { phase: 'Done' })).toEqual([
      'spec: Forbidden: Done is final',
    ]);
    expect(check(phased, { phase: 'Done' }, { phase: 'Running' })).toEqual([]);
  });

  const listed = schemaWith({
    type: 'object',
    properties: {
      items: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, size: { type: 'integer' } },
          'x-kubernetes-validations': [
            { rule: 'self.size >= oldSelf.size', message: 'may only grow' },
          ],
        },
      },
      plain: {
        type: 'array',
        items: {
          type: 'integer',
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'fixed' }],
        },
      },
    },
  });

  it('matches items of a map list to their old selves by key', () => {
    const old = {
      items: [
        { name: 'a', size: 5 },
        { name: 'b', size: 1 },
      ],
    };
    expect(
      check(
        listed,
        {
          items: [
            { name: 'b', size: 2 },
            { name: 'a', size: 4 },
          ],
        },
        old,
      ),
    ).toEqual(['spec.items[1]: Invalid value: "object": may only grow']);
    expect(check(listed, { items: [{ name: 'c', size: 0 }] }, old)).toEqual([]);
  });

  it('never correlates items of an atomic list', () => {
    expect(check(listed, { plain: [2] }, { plain: [1] })).toEqual([]);
  });

  it('sees integers as int and compares lists of objects by value', () => {
    const s = schemaWith({
      type: 'object',
      properties: {
        n: { type: 'integer' },
        env: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } } },
      },
      'x-kubernetes-validations': [{ rule: 'self.n + 1 == 3 && self.env == oldSelf.env' }],
    });
    expect(check(s, { n: 2, env: [{ k: 'a' }] }, { n: 2, env: [{ k: 'a' }] })).toEqual([]);
    expect(check(s, { n: 2, env: [{ k: 'b' }] }, { n: 2, env: [{ k: 'a' }] })).toHaveLength(1);
  });

  it('skips rules after a structural error that would make them misread the object', () => {
    const s = schemaWith({
      type: 'object',
      properties: { n: { type: 'integer' } },
      'x-kubernetes-validations': [{ rule: 'self.n > 0' }],
    });
    expect(check(s, { n: 'x' })).toEqual([
      'spec.n: Invalid value: "string": spec.n in body must be of type integer: "string"',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('runs rules at the root with only the name fields of metadata', () => {
    const s = new StructuralSchema({
      type: 'object',
      properties: { metadata: { type: 'object' } },
      'x-kubernetes-validations': [
        { rule: "self.metadata.name.startsWith('ok-') && !has(self.metadata.labels)" },
      ],
    });
    expect(s.validate({ metadata: { name: 'ok-1', labels: { a: 'b' } } })).toEqual([]);
    expect(s.validate({ metadata: { name: 'bad' } }).map(formatFieldError)).toEqual([
      '<nil>: Invalid value: "object": failed rule: self.metadata.name.startsWith(\'ok-\') && !has(self.metadata.labels)',
    ]);
  });

  it('refuses a schema whose rule does not parse', () => {
    expect(() =>
      schemaWith({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >' }] }),
    ).toThrow(SchemaCompileError);
    expect(() =>
      schemaWith({
        type: 'object',
        'x-kubernetes-validations': [{ rule: 'true', reason: 'Nope' }],
      }),
    ).toThrow(/reason/);
  });
});
