import * as k8s from '@kubernetes/client-node';

describe('@kubernetes/client-node under Jest ESM', () => {
  it('should load the ESM-only client and build an API client from a kubeconfig', () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    expect(api).toBeInstanceOf(k8s.CustomObjectsApi);
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:1');
  });
});
