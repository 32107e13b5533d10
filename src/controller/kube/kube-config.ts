import { KubeConfig } from '@kubernetes/client-node';

/** Where the controller finds its cluster. Exactly one source is used, in this order. */
export interface KubeConfigSource {
  /** A kubeconfig file path. */
  kubeconfigPath?: string;
  /** A kubeconfig document as YAML text (tests and the local control plane hand this over). */
  kubeconfigYaml?: string;
  /** Use the pod's service account. */
  inCluster?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Builds the one KubeConfig the controller uses. With no source given, falls back to the
 * client's default lookup (KUBECONFIG, ~/.kube/config, then in-cluster).
 *
 * The client refuses a plain `http:` server unless TLS verification is switched off, although
 * there is no TLS to verify. The local control plane serves plain HTTP on loopback, so for a
 * loopback `http:` server (and only there) the flag is set; any other `http:` server is still
 * refused by the client.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfigPath !== undefined) kc.loadFromFile(source.kubeconfigPath);
  else if (source.kubeconfigYaml !== undefined) kc.loadFromString(source.kubeconfigYaml);
  else if (source.inCluster === true) kc.loadFromCluster();
  else kc.loadFromDefault();
  return allowPlainLoopback(kc);
}

function isPlainLoopback(server: string): boolean {
  try {
    const url = new URL(server);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

function allowPlainLoopback(kc: KubeConfig): KubeConfig {
  if (!kc.clusters.some((c) => isPlainLoopback(c.server) && !c.skipTLSVerify)) return kc;
  const fixed = new KubeConfig();
  fixed.loadFromOptions({
    clusters: kc.clusters.map((c) =>
      isPlainLoopback(c.server) ? { ...c, skipTLSVerify: true } : c,
    ),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return fixed;
}
