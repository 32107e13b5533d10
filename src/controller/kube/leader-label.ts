import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** The label the leader puts on its own pod; the agents' Service selects it. */
export const LEADER_LABEL = 'taskrouter.io/leader';

/** Which pod this process runs in; both come from the downward API. */
export interface PodIdentity {
  /** POD_NAME. */
  name?: string;
  /** POD_NAMESPACE. */
  namespace?: string;
}

/** Reads the pod identity from an environment (pass `process.env` from the config module). */
export function podIdentityFromEnv(env: Record<string, string | undefined>): PodIdentity {
  const identity: PodIdentity = {};
  if (env.POD_NAME !== undefined && env.POD_NAME !== '') identity.name = env.POD_NAME;
  if (env.POD_NAMESPACE !== undefined && env.POD_NAMESPACE !== '') {
    identity.namespace = env.POD_NAMESPACE;
  }
  return identity;
}

/**
 * Sets (`leading`) or removes the leader label on our own pod. Best effort: outside a pod, or
 * when the API refuses, it logs why and returns false; leadership itself does not depend on it.
 */
export async function setLeaderLabel(
  kubeConfig: KubeConfig,
  pod: PodIdentity,
  leading: boolean,
  logger: Logger,
): Promise<boolean> {
  if (pod.name === undefined || pod.namespace === undefined) {
    logger.info(
      { leading },
      'not running in a pod (POD_NAME/POD_NAMESPACE unset); leader label not changed',
    );
    return false;
  }
  const api = kubeConfig.makeApiClient(CoreV1Api);
  try {
    await api.patchNamespacedPod(
      {
        name: pod.name,
        namespace: pod.namespace,
        body: { metadata: { labels: { [LEADER_LABEL]: leading ? 'true' : null } } },
        fieldManager: 'taskrouter-controller',
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    logger.info({ pod: pod.name, leading }, 'leader label updated');
    return true;
  } catch (err) {
    logger.warn({ err, pod: pod.name, leading }, 'leader label update failed');
    return false;
  }
}
