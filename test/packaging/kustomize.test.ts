import { kustomize, podSpecs, validateObject } from './helpers.js';

describe('the kustomize sample overlay', () => {
  it('renders into valid manifests in its namespace with the overlay image and agent capacity', async () => {
    const objs = await kustomize('overlays/sample');
    for (const obj of objs) validateObject(obj);
    const kinds = new Set(objs.map((o) => o.kind));
    for (const kind of [
      'CustomResourceDefinition',
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'Role',
      'Deployment',
      'Service',
      'NetworkPolicy',
      'PodDisruptionBudget',
    ]) {
      expect(kinds).toContain(kind);
    }
    for (const obj of objs) {
      const clusterScoped = [
        'CustomResourceDefinition',
        'Namespace',
        'ClusterRole',
        'ClusterRoleBinding',
      ];
      if (!clusterScoped.includes(obj.kind)) expect(obj.metadata.namespace).toBe('task-router');
    }
    const pods = Object.fromEntries(podSpecs(objs));
    const agent = pods['task-router-agent'];
    expect(agent?.containers[0]?.image).toBe('registry.example.com/task-router:0.1.0');
    const env = agent?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'TASK_ROUTER_AGENT_LABEL')?.value).toBe('size=large');
    expect(env.find((e) => e.name === 'TASK_ROUTER_AGENT_SLOTS')?.value).toBe('8');
    expect(pods['task-router-controller']?.serviceAccountName).toBe('task-router-controller');
  });

  it('renders the base on its own', async () => {
    const objs = await kustomize('base');
    for (const obj of objs) validateObject(obj);
    expect(objs.filter((o) => o.kind === 'Deployment')).toHaveLength(2);
  });
});
