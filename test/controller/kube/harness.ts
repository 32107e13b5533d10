import { randomBytes } from 'node:crypto';

import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  V1Namespace,
  V1ObjectMeta,
} from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Logger } from 'pino';

import { loadKubeConfig } from '../../../src/controller/kube/kube-config.js';
import type { TaskObject } from '../../../src/controller/kube/task-shape.js';
import { startLocalCluster } from '../../../src/localcluster/index.js';
import type { LocalCluster } from '../../../src/localcluster/index.js';

/** A local control plane with a client config, for one test file. */
export interface Harness {
  cluster: LocalCluster;
  kc: KubeConfig;
  logger: Logger;
  tasks: CustomObjectsApi;
  close(): Promise<void>;
}

export async function startHarness(bookmarkIntervalMs = 1000): Promise<Harness> {
  const cluster = await startLocalCluster({ port: 0, bookmarkIntervalMs });
  const kc = loadKubeConfig({ kubeconfigYaml: cluster.kubeConfigYaml });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return {
    cluster,
    kc,
    logger,
    tasks: kc.makeApiClient(CustomObjectsApi),
    close: () => cluster.close(),
  };
}

/** A fresh namespace with a unique name. */
export async function freshNamespace(h: Harness): Promise<string> {
  const name = `t-${randomBytes(4).toString('hex')}`;
  const body = new V1Namespace();
  body.metadata = Object.assign(new V1ObjectMeta(), { name });
  await h.kc.makeApiClient(CoreV1Api).createNamespace({ body });
  return name;
}

const coords = { group: 'taskrouter.io', version: 'v1alpha1', plural: 'tasks' };

export async function createTask(h: Harness, namespace: string, name: string): Promise<TaskObject> {
  return (await h.tasks.createNamespacedCustomObject({
    ...coords,
    namespace,
    body: {
      apiVersion: 'taskrouter.io/v1alpha1',
      kind: 'Task',
      metadata: { name },
      spec: { command: 'echo', args: ['hello world'] },
    },
  })) as TaskObject;
}

export async function getTask(h: Harness, namespace: string, name: string): Promise<TaskObject> {
  return (await h.tasks.getNamespacedCustomObject({ ...coords, namespace, name })) as TaskObject;
}

export async function labelTask(
  h: Harness,
  namespace: string,
  name: string,
  labels: Record<string, string>,
): Promise<TaskObject> {
  return (await h.tasks.patchNamespacedCustomObject(
    { ...coords, namespace, name, body: { metadata: { labels } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as TaskObject;
}

export async function deleteTask(h: Harness, namespace: string, name: string): Promise<void> {
  await h.tasks.deleteNamespacedCustomObject({ ...coords, namespace, name });
}

/** Polls `check` until it returns true or `timeoutMs` passes; fails the test on timeout. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
