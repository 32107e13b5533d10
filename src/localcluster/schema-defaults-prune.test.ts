import { StructuralSchema } from './schema.js';

const schema = new StructuralSchema({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        mode: { type: 'string', default: 'fast' },
        opts: {
          type: 'object',
          properties: { level: { type: 'integer', default: 3 }, tag: { type: 'string' } },
        },
        withDefault: {
          type: 'object',
          default: {},
          properties: { inner: { type: 'string', default: 'filled' } },
        },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, weight: { type: 'integer', default: 1 } },
          },
        },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        maybe: { type: 'string', nullable: true, default: 'd' },
        embedded: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
        },
      },
    },
  },
});

describe('applyDefaults', () => {
  it('fills a missing property and recurses into objects that exist', () => {
    const obj: Record<string, unknown> = { spec: { opts: {}, items: [{ name: 'a' }] } };
    schema.applyDefaults(obj);
    expect(obj).toEqual({
      spec: {
        mode: 'fast',
        opts: { level: 3 },
        withDefault: { inner: 'filled' },
        items: [{ name: 'a', weight: 1 }],
        maybe: 'd',
      },
    });
  });

  it('applies no nested default where the parent object is absent', () => {
    const obj: Record<string, unknown> = { spec: {} };
    schema.applyDefaults(obj);
    expect((obj.spec as Record<string, unknown>).opts).toBeUndefined();
  });

  it('creates nothing when the root property itself is absent', () => {
    const obj: Record<string, unknown> = { metadata: { name: 'n' } };
    schema.applyDefaults(obj);
    expect(obj).toEqual({ metadata: { name: 'n' } });
  });

  it('replaces null with the default where null is not allowed, and keeps it where it is', () => {
    const obj: Record<string, unknown> = { spec: { mode: null, maybe: null } };
    schema.applyDefaults(obj);
    expect(obj.spec).toMatchObject({ mode: 'fast', maybe: null });
  });

  it('keeps values that are already set', () => {
    const obj: Record<string, unknown> = { spec: { mode: 'slow', opts: { level: 0 } } };
    schema.applyDefaults(obj);
    expect(obj.spec).toMatchObject({ mode: 'slow', opts: { level: 0 } });
  });

  it('copies defaults, so two objects never share one', () => {
    const a: Record<string, unknown> = { spec: {} };
    const b: Record<string, unknown> = { spec: {} };
    schema.applyDefaults(a);
    schema.applyDefaults(b);
    ((a.spec as Record<string, unknown>).withDefault as Record<string, unknown>).inner = 'changed';
    expect(b.spec).toMatchObject({ withDefault: { inner: 'filled' } });
  });
});

describe('prune', () => {
  it('removes unknown fields at every level and returns their paths', () => {
    const obj: Record<string, unknown> = {
      apiVersion: 'g/v1',
      kind: 'K',
      metadata: { name: 'n', anything: 1 },
      extra: true,
      spec: { mode: 'x', bogus: 1, opts: { level: 1, nope: 2 }, items: [{ name: 'a', zz: 1 }] },
    };
    const removed = schema.prune(obj);
    expect(removed.sort()).toEqual(['extra', 'spec.bogus', 'spec.items[0].zz', 'spec.opts.nope']);
    expect(obj).toEqual({
      apiVersion: 'g/v1',
      kind: 'K',
      metadata: { name: 'n', anything: 1 },
      spec: { mode: 'x', opts: { level: 1 }, items: [{ name: 'a' }] },
    });
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields', () => {
    const obj: Record<string, unknown> = { spec: { free: { a: { b: [1, { c: 2 }] } } } };
    expect(schema.prune(obj)).toEqual([]);
    expect(obj).toEqual({ spec: { free: { a: { b: [1, { c: 2 }] } } } });
  });

  it('keeps every key of a map and prunes inside its values', () => {
    const obj: Record<string, unknown> = { spec: { labels: { a: 'x', b: 'y' } } };
    expect(schema.prune(obj)).toEqual([]);
  });

  it('keeps apiVersion, kind and metadata of an embedded resource', () => {
    const obj: Record<string, unknown> = {
      spec: {
        embedded: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p' },
          spec: { a: 'x', b: 1 },
          c: 1,
        },
      },
    };
    expect(schema.prune(obj).sort()).toEqual(['spec.embedded.c', 'spec.embedded.spec.b']);
    expect((obj.spec as Record<string, unknown>).embedded).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { a: 'x' },
    });
  });

  it('leaves values of the wrong type for validation to report', () => {
    const obj: Record<string, unknown> = { spec: { opts: 'not-an-object', items: 'nope' } };
    expect(schema.prune(obj)).toEqual([]);
    expect(obj.spec).toEqual({ opts: 'not-an-object', items: 'nope' });
  });
});
