/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- assertions read JSON replies loosely */
import type { LocalCluster } from '../../src/localcluster/index.js';
import { startLocalCluster } from '../../src/localcluster/index.js';
import { api, freshNamespace, task, tasksPath } from './helpers.js';

const MERGE = { 'Content-Type': 'application/merge-patch+json' };

describe('object semantics of the local control plane', () => {
  let c: LocalCluster;
  beforeAll(async () => {
    c = await startLocalCluster();
  });
  afterAll(async () => {
    await c.close();
  });

  it('refuses requests without the bearer token with a 401 Status', async () => {
    const r = await api(c, 'GET', '/api/v1/namespaces', undefined, {
      Authorization: 'Bearer wrong',
    });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('refuses to bind anything but loopback', async () => {
    await expect(startLocalCluster({ host: '0.0.0.0' })).rejects.toThrow(
      /host: expected a loopback address/,
    );
  });

  it('assigns uid, creationTimestamp, generation 1 and a global increasing resourceVersion', async () => {
    const ns = await freshNamespace(c);
    const a = await api(c, 'POST', tasksPath(ns), task('a'));
    const b = await api(c, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'b' },
    });
    expect(a.status).toBe(201);
    expect(a.body.metadata).toMatchObject({
      generation: 1,
      uid: expect.any(String),
      creationTimestamp: expect.any(String),
    });
    expect(Number(b.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(a.body.metadata.resourceVersion),
    );
  });

  it('answers 409 AlreadyExists on a second create and 404 NotFound on a missing object', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('dup'));
    const again = await api(c, 'POST', tasksPath(ns), task('dup'));
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('AlreadyExists');
    const missing = await api(c, 'GET', tasksPath(ns, 'nope'));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      reason: 'NotFound',
      message: 'tasks.taskrouter.io "nope" not found',
    });
  });

  it('answers 409 Conflict to an update with a stale resourceVersion', async () => {
    const ns = await freshNamespace(c);
    const created = await api(c, 'POST', tasksPath(ns), task('s'));
    const first = { ...created.body, spec: { ...created.body.spec, priority: 1 } };
    expect((await api(c, 'PUT', tasksPath(ns, 's'), first)).status).toBe(200);
    const stale = await api(c, 'PUT', tasksPath(ns, 's'), {
      ...created.body,
      spec: { ...created.body.spec, priority: 2 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
  });

  it('bumps generation on spec changes only', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('g'));
    const labelled = await api(
      c,
      'PATCH',
      tasksPath(ns, 'g'),
      { metadata: { labels: { a: 'b' } } },
      MERGE,
    );
    expect(labelled.body.metadata.generation).toBe(1);
    const status = await api(
      c,
      'PATCH',
      `${tasksPath(ns, 'g')}/status`,
      { status: { phase: 'Running' } },
      MERGE,
    );
    expect(status.body.metadata.generation).toBe(1);
    const spec = await api(c, 'PATCH', tasksPath(ns, 'g'), { spec: { priority: 3 } }, MERGE);
    expect(spec.body.metadata.generation).toBe(2);
  });

  it('keeps status out of main-resource writes and everything but status out of /status writes', async () => {
    const ns = await freshNamespace(c);
    const created = await api(c, 'POST', tasksPath(ns), {
      ...task('st'),
      status: { phase: 'Complete' },
    });
    expect(created.body.status).toBeUndefined();
    const main = await api(c, 'PATCH', tasksPath(ns, 'st'), { status: { phase: 'Failed' } }, MERGE);
    expect(main.body.status).toBeUndefined();
    const st = await api(
      c,
      'PATCH',
      `${tasksPath(ns, 'st')}/status`,
      { metadata: { labels: { x: 'y' } }, spec: { priority: 9 }, status: { phase: 'Running' } },
      MERGE,
    );
    expect(st.body.status).toEqual({ phase: 'Running' });
    expect(st.body.metadata.labels).toBeUndefined();
    expect(st.body.spec.priority).toBe(0);
  });

  it('does not write when nothing changed', async () => {
    const ns = await freshNamespace(c);
    const created = await api(c, 'POST', tasksPath(ns), task('n'));
    const same = await api(c, 'PATCH', tasksPath(ns, 'n'), { spec: { command: 'echo' } }, MERGE);
    expect(same.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
  });

  it('names generated objects from generateName', async () => {
    const ns = await freshNamespace(c);
    const r = await api(c, 'POST', tasksPath(ns), {
      ...task(''),
      metadata: { generateName: 'job-' },
    });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toMatch(/^job-[a-z0-9]{5}$/);
  });

  it('honours dryRun=All', async () => {
    const ns = await freshNamespace(c);
    const r = await api(c, 'POST', `${tasksPath(ns)}?dryRun=All`, task('dry'));
    expect(r.status).toBe(201);
    expect((await api(c, 'GET', tasksPath(ns, 'dry'))).status).toBe(404);
  });

  it('treats unknown fields by fieldValidation: Strict refuses, Warn warns, Ignore prunes', async () => {
    const ns = await freshNamespace(c);
    const body = task('u', { command: 'echo', bogus: 1 });
    const strict = await api(c, 'POST', `${tasksPath(ns)}?fieldValidation=Strict`, body);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.bogus"');
    const warn = await api(c, 'POST', `${tasksPath(ns)}?fieldValidation=Warn`, body);
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field');
    expect(warn.body.spec.bogus).toBeUndefined();
  });

  it('answers schema errors with a 422 Status naming the field', async () => {
    const ns = await freshNamespace(c);
    const r = await api(
      c,
      'POST',
      tasksPath(ns),
      task('bad', { command: 'echo', timeoutSeconds: -5 }),
    );
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      reason: 'Invalid',
      details: { name: 'bad', group: 'taskrouter.io', kind: 'Task' },
    });
    expect(r.body.message).toMatch(/^Task\.taskrouter\.io "bad" is invalid: spec\.timeoutSeconds/);
    expect(r.body.details.causes[0].field).toBe('spec.timeoutSeconds');
  });

  it('holds objects with finalizers until the last one is removed', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('fin', undefined, { finalizers: ['a/b'] }));
    const del = await api(c, 'DELETE', tasksPath(ns, 'fin'));
    expect(del.status).toBe(200);
    expect(del.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    const gone = await api(
      c,
      'PATCH',
      tasksPath(ns, 'fin'),
      { metadata: { finalizers: null } },
      MERGE,
    );
    expect(gone.status).toBe(200);
    expect((await api(c, 'GET', tasksPath(ns, 'fin'))).status).toBe(404);
  });

  it('filters lists by label and field selectors', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('l1', undefined, { labels: { tier: 'a', x: '1' } }));
    await api(c, 'POST', tasksPath(ns), task('l2', undefined, { labels: { tier: 'b' } }));
    await api(c, 'POST', tasksPath(ns), task('l3'));
    const names = async (q: string): Promise<string[]> =>
      (
        (await api(c, 'GET', `${tasksPath(ns)}?${q}`)).body.items as {
          metadata: { name: string };
        }[]
      ).map((i) => i.metadata.name);
    expect(await names('labelSelector=tier%3Da')).toEqual(['l1']);
    expect(await names('labelSelector=tier%3D%3Da')).toEqual(['l1']);
    expect(await names('labelSelector=tier!%3Da')).toEqual(['l2', 'l3']);
    expect(await names('labelSelector=tier%20in%20(a,b)')).toEqual(['l1', 'l2']);
    expect(await names('labelSelector=tier%20notin%20(a)')).toEqual(['l2', 'l3']);
    expect(await names('labelSelector=x')).toEqual(['l1']);
    expect(await names('labelSelector=!tier')).toEqual(['l3']);
    expect(await names('fieldSelector=metadata.name%3Dl2')).toEqual(['l2']);
    expect(await names(`fieldSelector=metadata.namespace%3D${ns},metadata.name!%3Dl2`)).toEqual([
      'l1',
      'l3',
    ]);
    const bad = await api(c, 'GET', `${tasksPath(ns)}?fieldSelector=spec.command%3Decho`);
    expect(bad.status).toBe(400);
  });

  it('pages lists with limit and continue', async () => {
    const ns = await freshNamespace(c);
    for (const n of ['p1', 'p2', 'p3']) await api(c, 'POST', tasksPath(ns), task(n));
    const first = await api(c, 'GET', `${tasksPath(ns)}?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const next = await api(
      c,
      'GET',
      `${tasksPath(ns)}?limit=2&continue=${first.body.metadata.continue as string}`,
    );
    expect(next.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'p3',
    ]);
    expect(next.body.metadata.continue).toBeUndefined();
  });

  it('refuses objects in a namespace that does not exist', async () => {
    const r = await api(c, 'POST', tasksPath('no-such-ns'), task('x'));
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('namespaces "no-such-ns" not found');
  });

  it.each([
    ['bad JSON', 'POST', (ns: string) => tasksPath(ns), '{not json', 400, 'BadRequest'],
    [
      'an unknown resource',
      'GET',
      () => '/apis/taskrouter.io/v1alpha1/widgets',
      undefined,
      404,
      'NotFound',
    ],
    [
      'a wrong kind',
      'POST',
      (ns: string) => tasksPath(ns),
      JSON.stringify({
        apiVersion: 'taskrouter.io/v1alpha1',
        kind: 'Job',
        metadata: { name: 'k' },
      }),
      400,
      'BadRequest',
    ],
    [
      'a missing name',
      'POST',
      (ns: string) => tasksPath(ns),
      JSON.stringify({
        apiVersion: 'taskrouter.io/v1alpha1',
        kind: 'Task',
        spec: { command: 'x' },
      }),
      422,
      'Invalid',
    ],
    ['a wrong method', 'POST', (ns: string) => tasksPath(ns, 'x'), '{}', 405, 'MethodNotAllowed'],
    [
      'an unknown patch type',
      'PATCH',
      (ns: string) => tasksPath(ns, 'exists'),
      '{}',
      415,
      'UnsupportedMediaType',
    ],
  ] as const)('answers %s with a Status', async (_what, method, path, body, code, reason) => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('exists'));
    const headers: Record<string, string> =
      method === 'PATCH' ? { 'Content-Type': 'application/x-unknown' } : {};
    const r = await api(c, method, path(ns), body, headers);
    expect(r.status).toBe(code);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', code, reason });
  });

  it('answers an invalid JSON patch with 422 and keeps the object', async () => {
    const ns = await freshNamespace(c);
    await api(c, 'POST', tasksPath(ns), task('jp'));
    const r = await api(
      c,
      'PATCH',
      tasksPath(ns, 'jp'),
      [{ op: 'remove', path: '/spec/nothing' }],
      { 'Content-Type': 'application/json-patch+json' },
    );
    expect(r.status).toBe(422);
    expect((await api(c, 'GET', tasksPath(ns, 'jp'))).status).toBe(200);
  });

  it('serves a CRD created through the API and drops its objects when it is deleted', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        ],
      },
    };
    expect(
      (await api(c, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status,
    ).toBe(201);
    const disc = await api(c, 'GET', '/apis/example.com/v1');
    expect(disc.body.resources.map((r: { name: string }) => r.name)).toContain('widgets');
    const ns = await freshNamespace(c);
    const w = await api(c, 'POST', `/apis/example.com/v1/namespaces/${ns}/widgets`, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
    });
    expect(w.status).toBe(201);
    await api(
      c,
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
    );
    expect((await api(c, 'GET', '/apis/example.com/v1')).status).toBe(404);
  });

  it('serves discovery and the OpenAPI v3 document of the Task group', async () => {
    const groups = await api(c, 'GET', '/apis');
    expect(groups.body.groups.map((g: { name: string }) => g.name)).toEqual(
      expect.arrayContaining(['taskrouter.io', 'coordination.k8s.io', 'events.k8s.io']),
    );
    const index = await api(c, 'GET', '/openapi/v3');
    const url = index.body.paths['apis/taskrouter.io/v1alpha1'].serverRelativeURL as string;
    const doc = await api(c, 'GET', url);
    const schema = doc.body.components.schemas['io.taskrouter.v1alpha1.Task'];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([
      { group: 'taskrouter.io', version: 'v1alpha1', kind: 'Task' },
    ]);
  });

  it('turns Secret stringData into base64 data', async () => {
    const ns = await freshNamespace(c);
    const r = await api(c, 'POST', `/api/v1/namespaces/${ns}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { k: 'v' },
    });
    expect(r.body.data).toEqual({ k: Buffer.from('v').toString('base64') });
    expect(r.body.stringData).toBeUndefined();
  });

  it('stores Leases and both kinds of Events', async () => {
    const ns = await freshNamespace(c);
    const lease = await api(c, 'POST', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'leader' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15 },
    });
    expect(lease.status).toBe(201);
    const ev = await api(c, 'POST', `/apis/events.k8s.io/v1/namespaces/${ns}/events`, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      reason: 'Dispatched',
      note: 'sent',
      type: 'Normal',
      action: 'Dispatch',
      eventTime: '2025-01-01T00:00:00.000000Z',
      reportingController: 'task-router',
      reportingInstance: 'x',
    });
    expect(ev.status).toBe(201);
    const core = await api(c, 'POST', `/api/v1/namespaces/${ns}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e2' },
      involvedObject: { kind: 'Task', name: 't' },
      reason: 'R',
      message: 'm',
    });
    expect(core.status).toBe(201);
    const sel = await api(
      c,
      'GET',
      `/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.name%3Dt`,
    );
    expect(sel.body.items).toHaveLength(1);
  });
});
