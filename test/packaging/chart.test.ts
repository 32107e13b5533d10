import { readFileSync } from 'node:fs';
import { ALL_ON, CHART, ROOT, helm, podSpecs, renderChart, validateObject } from './helpers.js';
import type { K8sObject } from './helpers.js';

const kinds = (objs: readonly K8sObject[]): string[] =>
  objs.map((o) => `${o.kind}/${o.metadata.name}`);

describe('the Helm chart', () => {
  let defaults: K8sObject[];
  let allOn: K8sObject[];

  beforeAll(async () => {
    [defaults, allOn] = await Promise.all([renderChart(), renderChart(ALL_ON)]);
  });

  it('passes helm lint --strict with default values and with every option on', async () => {
    await expect(helm('lint', '--strict', CHART)).resolves.toContain('0 chart(s) failed');
    const sets = ALL_ON.flatMap((s) => ['--set', s]);
    await expect(helm('lint', '--strict', CHART, ...sets)).resolves.toContain('0 chart(s) failed');
  });

  it('renders manifests that match the Kubernetes schemas, with defaults and with every option on', () => {
    for (const obj of [...defaults, ...allOn]) validateObject(obj);
    expect(defaults.length).toBeGreaterThan(10);
  });

  it('renders the optional monitoring objects only when switched on', () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'ConfigMap']) {
      expect(defaults.some((o) => o.kind === kind)).toBe(false);
      expect(allOn.some((o) => o.kind === kind)).toBe(true);
    }
    const monitor = allOn.find((o) => o.kind === 'ServiceMonitor');
    expect(monitor?.metadata.labels?.release).toBe('prom');
    const dashboard = allOn.find((o) => o.kind === 'ConfigMap');
    expect(dashboard?.metadata.labels?.grafana_dashboard).toBe('1');
    expect(dashboard?.metadata.namespace).toBe('monitoring');
    const json = (dashboard as unknown as { data: Record<string, string> }).data[
      'task-router.json'
    ];
    expect(JSON.parse(json ?? '')).toMatchObject({ uid: 'task-router' });
  });

  it('adds a PodDisruptionBudget only for components with more than one replica', async () => {
    const pdbs = (objs: K8sObject[]) => kinds(objs.filter((o) => o.kind === 'PodDisruptionBudget'));
    expect(pdbs(defaults)).toEqual([
      'PodDisruptionBudget/tr-task-router-controller',
      'PodDisruptionBudget/tr-task-router-agent',
    ]);
    const single = await renderChart(['controller.replicas=1', 'agent.replicas=1']);
    expect(pdbs(single)).toEqual([]);
  });

  it('runs every pod non-root with a read-only root filesystem and no capabilities', () => {
    for (const [name, spec] of podSpecs([...defaults, ...allOn])) {
      expect({ name, ...spec.securityContext }).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of spec.containers) {
        expect({ name, ...c.securityContext }).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources.requests).toBeDefined();
      }
    }
  });

  it('mounts CURVE keys by default and gives agents only the principal public key', () => {
    const agent = podSpecs(defaults).find(([n]) => n.endsWith('-agent'))?.[1];
    const curve = agent?.volumes.find((v) => v.name === 'curve');
    expect(curve?.secret?.secretName).toBe('tr-task-router-curve');
    expect(curve?.secret?.items.map((i) => i.key).sort()).toEqual([
      'agent.key',
      'agent.pub',
      'principal.pub',
    ]);
    const env = agent?.containers[0]?.env.map((e) => e.name);
    expect(env).not.toContain('TASK_ROUTER_AGENT_INSECURE');
    expect(agent?.automountServiceAccountToken).toBe(false);
  });

  it('passes agent capacity, labels and the pod IP from values and the downward API', () => {
    const agent = podSpecs(allOn).find(([n]) => n.endsWith('-agent'))?.[1];
    const env = Object.fromEntries(
      (agent?.containers[0]?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]),
    );
    expect(env).toMatchObject({
      POD_IP: { fieldRef: { fieldPath: 'status.podIP' } },
      TASK_ROUTER_AGENT_ADVERTISE: 'tcp://$(POD_IP):5701',
      TASK_ROUTER_AGENT_LABEL: 'size=large,zone=a',
      TASK_ROUTER_AGENT_CPU: '2',
      TASK_ROUTER_AGENT_MEMORY: '4Gi',
      TASK_ROUTER_AGENT_EXECUTORS: 'PROCESS,SHELL',
      TASK_ROUTER_AGENT_TASK_NICE: '10',
      TASK_ROUTER_AGENT_PRINCIPAL: 'tcp://tr-task-router-principal.task-router.svc:5700',
    });
  });

  it('grants RBAC without wildcards, narrowing Tasks to the watched namespace when set', () => {
    for (const obj of [...defaults, ...allOn]) {
      for (const rule of (obj as { rules?: Record<string, string[]>[] }).rules ?? []) {
        for (const field of ['apiGroups', 'resources', 'verbs']) {
          expect(rule[field]).not.toContain('*');
        }
      }
    }
    const tasksRole = allOn.find(
      (o) => o.metadata.name === 'tr-task-router-tasks' && o.kind === 'Role',
    );
    expect(tasksRole?.metadata.namespace).toBe('work');
    expect(
      defaults.some((o) => o.kind === 'ClusterRole' && o.metadata.name === 'tr-task-router-tasks'),
    ).toBe(true);
  });

  it('routes the principal Service to the leader pod only', () => {
    const svc = defaults.find((o) => o.metadata.name === 'tr-task-router-principal') as
      { spec: { selector: Record<string, string> } } | undefined;
    expect(svc?.spec.selector['taskrouter.io/leader']).toBe('true');
  });

  it('refuses values outside the schema, naming the field', async () => {
    await expect(renderChart(['agent.slots=0'])).rejects.toThrow(/agent\/slots/);
    await expect(renderChart(['agent.executors={DOCKER}'])).rejects.toThrow(/executors/);
    await expect(renderChart(['agent.taskNice=20'])).rejects.toThrow(/taskNice/);
    await expect(renderChart(['typo=1'])).rejects.toThrow(/typo/);
  });

  it('ships CRDs identical to the top-level crds/ in the chart and in deploy/base', () => {
    const source = readFileSync(`${ROOT}crds/taskrouter.io_tasks.yaml`, 'utf8');
    expect(readFileSync(`${CHART}/crds/taskrouter.io_tasks.yaml`, 'utf8')).toBe(source);
    expect(readFileSync(`${ROOT}deploy/base/crds/taskrouter.io_tasks.yaml`, 'utf8')).toBe(source);
  });
});
