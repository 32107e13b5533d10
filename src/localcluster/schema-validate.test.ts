import { StructuralSchema, formatFieldError } from './schema.js';

/** A root object schema with one property `x` of the given schema. */
function withX(x: Record<string, unknown>): StructuralSchema {
  return new StructuralSchema({ type: 'object', properties: { x } });
}

function errorsFor(x: Record<string, unknown>, value: unknown): string[] {
  return withX(x).validate({ x: value }).map(formatFieldError);
}

describe('structural validation', () => {
  const cases: [string, Record<string, unknown>, unknown, string[]][] = [
    ['accepts a string', { type: 'string' }, 'a', []],
    [
      'refuses a number where a string is wanted',
      { type: 'string' },
      5,
      ['x: Invalid value: "integer": x in body must be of type string: "integer"'],
    ],
    [
      'refuses a string where a list is wanted',
      { type: 'array', items: { type: 'string' } },
      'a',
      ['x: Invalid value: "string": x in body must be of type array: "string"'],
    ],
    [
      'refuses a fraction where an integer is wanted',
      { type: 'integer' },
      1.5,
      ['x: Invalid value: "number": x in body must be of type integer: "number"'],
    ],
    ['accepts an integer where a number is wanted', { type: 'number' }, 3, []],
    [
      'refuses a boolean where an object is wanted',
      { type: 'object' },
      true,
      ['x: Invalid value: "boolean": x in body must be of type object: "boolean"'],
    ],
    [
      'refuses null where null is not allowed',
      { type: 'string' },
      null,
      ['x: Invalid value: "null": x in body must be of type string: "null"'],
    ],
    ['accepts null where nullable', { type: 'string', nullable: true }, null, []],
    ['accepts an integer as int-or-string', { 'x-kubernetes-int-or-string': true }, 3, []],
    ['accepts a string as int-or-string', { 'x-kubernetes-int-or-string': true }, '3Gi', []],
    [
      'refuses a boolean as int-or-string',
      { 'x-kubernetes-int-or-string': true },
      true,
      ['x: Invalid value: "boolean": x in body must be of type integer,string: "boolean"'],
    ],
    [
      'refuses a value outside the enum',
      { type: 'string', enum: ['A', 'B'] },
      'C',
      ['x: Unsupported value: "C": supported values: "A", "B"'],
    ],
    [
      'quotes non-string enum members as JSON',
      { type: 'integer', enum: [1, 2] },
      3,
      ['x: Unsupported value: 3: supported values: "1", "2"'],
    ],
    [
      'refuses below the minimum',
      { type: 'integer', minimum: 1 },
      -5,
      ['x: Invalid value: -5: x in body should be greater than or equal to 1'],
    ],
    [
      'refuses the exclusive minimum itself',
      { type: 'integer', minimum: 1, exclusiveMinimum: true },
      1,
      ['x: Invalid value: 1: x in body should be greater than 1'],
    ],
    [
      'refuses above the maximum',
      { type: 'number', maximum: 2.5 },
      3,
      ['x: Invalid value: 3: x in body should be less than or equal to 2.5'],
    ],
    [
      'refuses the exclusive maximum itself',
      { type: 'integer', maximum: 10, exclusiveMaximum: true },
      10,
      ['x: Invalid value: 10: x in body should be less than 10'],
    ],
    [
      'refuses a value that is not a multiple',
      { type: 'integer', multipleOf: 5 },
      7,
      ['x: Invalid value: 7: x in body should be a multiple of 5'],
    ],
    [
      'refuses a string shorter than minLength',
      { type: 'string', minLength: 1 },
      '',
      ['x: Invalid value: "": x in body should be at least 1 chars long'],
    ],
    [
      'refuses a string longer than maxLength without echoing it',
      { type: 'string', maxLength: 3 },
      'abcd',
      ['x: Too long: may not be more than 3 bytes'],
    ],
    ['counts characters, not UTF-16 units', { type: 'string', maxLength: 2 }, '😀é', []],
    [
      'refuses a string that misses the pattern',
      { type: 'string', pattern: '^[a-z]+$' },
      'A1',
      ['x: Invalid value: "A1": x in body should match \'^[a-z]+$\''],
    ],
    [
      'refuses a malformed date-time',
      { type: 'string', format: 'date-time' },
      'yesterday',
      ['x: Invalid value: "yesterday": x in body must be of type date-time: "yesterday"'],
    ],
    [
      'accepts an RFC 3339 date-time',
      { type: 'string', format: 'date-time' },
      '2024-02-29T10:00:00Z',
      [],
    ],
    [
      'refuses an impossible date',
      { type: 'string', format: 'date-time' },
      '2023-02-29T10:00:00Z',
      [
        'x: Invalid value: "2023-02-29T10:00:00Z": x in body must be of type date-time: "2023-02-29T10:00:00Z"',
      ],
    ],
    [
      'refuses fewer items than minItems',
      { type: 'array', minItems: 1, items: { type: 'string' } },
      [],
      ['x: Invalid value: 0: x in body should have at least 1 items'],
    ],
    [
      'refuses more items than maxItems',
      { type: 'array', maxItems: 1, items: { type: 'string' } },
      ['a', 'b'],
      ['x: Too many: 2: must have at most 1 items'],
    ],
    [
      'refuses duplicates under uniqueItems',
      { type: 'array', uniqueItems: true, items: { type: 'integer' } },
      [1, 2, 1],
      ['x: Invalid value: "": x in body shouldn\'t contain duplicates'],
    ],
    [
      'refuses a duplicate in a set list',
      { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      ['a', 'b', 'a'],
      ['x[2]: Duplicate value: "a"'],
    ],
    [
      'refuses a duplicate key in a map list',
      {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'string' } } },
      },
      [{ name: 'a', v: '1' }, { name: 'b' }, { name: 'a', v: '2' }],
      ['x[2]: Duplicate value: {"name":"a"}'],
    ],
    [
      'refuses fewer properties than minProperties',
      { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } },
      {},
      ['x: Invalid value: 0: x in body should have at least 1 properties'],
    ],
    [
      'refuses more properties than maxProperties',
      { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } },
      { a: 'x', b: 'y' },
      ['x: Too many: 2: must have at most 1 items'],
    ],
    [
      'checks map values against additionalProperties',
      { type: 'object', additionalProperties: { type: 'string' } },
      { a: 1 },
      ['x.a: Invalid value: "integer": x.a in body must be of type string: "integer"'],
    ],
    [
      'refuses unknown keys when additionalProperties is false',
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
      { a: 'x', b: 'y' },
      ['x: Invalid value: "": x.b in body is a forbidden property'],
    ],
    [
      'reports a missing required property',
      { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
      {},
      ['x.a: Required value'],
    ],
    [
      'locates errors inside lists by index',
      { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } } } },
      [{ n: 1 }, { n: 'two' }],
      ['x[1].n: Invalid value: "string": x[1].n in body must be of type integer: "string"'],
    ],
    [
      'applies every allOf branch',
      { type: 'integer', allOf: [{ minimum: 0 }, { maximum: 5 }] },
      9,
      ['x: Invalid value: 9: x in body should be less than or equal to 5'],
    ],
    [
      'refuses a value that fits no anyOf branch',
      { type: 'integer', anyOf: [{ maximum: 1 }, { minimum: 10 }] },
      5,
      ['x: Invalid value: 5: x in body must validate at least one schema (anyOf)'],
    ],
    [
      'accepts a value that fits one anyOf branch',
      { type: 'integer', anyOf: [{ maximum: 1 }, { minimum: 10 }] },
      11,
      [],
    ],
  ];

  test.each(cases)('%s', (_name, schema, value, expected) => {
    expect(errorsFor(schema, value)).toEqual(expected);
  });

  it('escapes HTML-sensitive characters in bad values as the API server does', () => {
    expect(errorsFor({ type: 'integer' }, undefined)).toEqual([]);
    expect(errorsFor({ type: 'string', enum: ['a'] }, '<b>&')).toEqual([
      'x: Unsupported value: "\\u003cb\\u003e\\u0026": supported values: "a"',
    ]);
  });

  it('names the whole object as <nil> for a root error', () => {
    const s = new StructuralSchema({
      type: 'object',
      required: ['spec'],
      properties: { spec: { type: 'object' } },
    });
    expect(s.validate({}).map(formatFieldError)).toEqual(['spec: Required value']);
    expect(
      formatFieldError({ type: 'FieldValueInvalid', field: '', value: null, message: 'm' }),
    ).toBe('<nil>: Invalid value: null: m');
  });

  it('leaves root apiVersion, kind and metadata to the API server', () => {
    const s = new StructuralSchema({ type: 'object', properties: { spec: { type: 'object' } } });
    expect(
      s.validate({ apiVersion: 'a/v1', kind: 'K', metadata: { name: 'n' }, spec: {} }),
    ).toEqual([]);
  });
});
