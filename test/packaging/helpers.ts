import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { toolPath } from '../../scripts/tools.js';

const run = promisify(execFile);

/** The repository root, with a trailing slash. */
export const ROOT = new URL('../../', import.meta.url).pathname;
export const CHART = `${ROOT}charts/task-router`;

/** A rendered Kubernetes object, loosely typed for assertions. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** Parses a multi-document YAML stream, dropping empty documents. */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** Runs the bundled helm; rejects with its stderr on a non-zero exit. */
export async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(toolPath('helm'), args, { maxBuffer: 32 * 1024 * 1024 });
  return stdout;
}

/** `helm template` of the chart with `--set` pairs, parsed. */
export async function renderChart(sets: readonly string[] = []): Promise<K8sObject[]> {
  const args = ['template', 'tr', CHART, '--namespace', 'task-router'];
  for (const s of sets) args.push('--set', s);
  return parseManifests(await helm(...args));
}

/** Every option of the chart switched on. */
export const ALL_ON = [
  'serviceMonitor.enabled=true',
  'serviceMonitor.labels.release=prom',
  'prometheusRule.enabled=true',
  'prometheusRule.labels.release=prom',
  'prometheusRule.alertLabels.team=platform',
  'dashboards.enabled=true',
  'dashboards.namespace=monitoring',
  'controller.watchNamespace=work',
  'agent.labels.size=large',
  'agent.labels.zone=a',
  'agent.cpu=2',
  'agent.memory=4Gi',
  'agent.executors={PROCESS,SHELL}',
  'curve.existingSecret=my-keys',
  'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.name=monitoring',
  'imagePullSecrets[0].name=regcred',
];

/** `kubectl kustomize` of a folder under deploy/, parsed. */
export async function kustomize(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run(toolPath('kubectl'), ['kustomize', `${ROOT}deploy/${dir}`], {
    maxBuffer: 32 * 1024 * 1024,
  });
  return parseManifests(stdout);
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** The schema model of each kind the chart and deploy/ may produce. */
const MODELS: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** Validates one object against its Kubernetes schema; throws naming the object. */
export function validateObject(obj: K8sObject): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (Model === undefined) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(obj as never).validate();
  } catch (err) {
    throw new Error(`${obj.kind} ${obj.metadata.name}: ${String(err)}`, { cause: err });
  }
}

/** The parts of a pod spec the tests look at. */
export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  volumes: { name: string; secret?: { secretName: string; items: { key: string }[] } }[];
  containers: {
    image: string;
    env: { name: string; value?: string; valueFrom?: unknown }[];
    securityContext?: Record<string, unknown>;
    resources: { requests?: Record<string, string> };
  }[];
}

/** The pod template specs of every Deployment, by Deployment name. */
export function podSpecs(objs: readonly K8sObject[]): [string, PodSpec][] {
  return objs
    .filter((o) => o.kind === 'Deployment')
    .map((o) => [
      o.metadata.name,
      (o as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec,
    ]);
}
