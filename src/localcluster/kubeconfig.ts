import { stringify } from 'yaml';

/**
 * A kubeconfig for one local server: one cluster (trusting `caPem` when served over TLS), one
 * user with the bearer token, one context whose namespace is `default`.
 */
export function kubeconfigYaml(
  url: string,
  token: string,
  caPem: string | undefined,
  name = 'task-router-local',
): string {
  const cluster: Record<string, string> = { server: url };
  if (caPem !== undefined)
    cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
