import { ApiextensionsV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { checkCrdVersion, TASK_CRD_NAME } from '../crd-version.js';
import { statusCodeOf } from './errors.js';

/**
 * Reads the installed Task CRD and warns when its revision is not the one this controller
 * expects (Helm never upgrades CRDs). Never throws: a controller without read access to CRDs
 * still runs, and says it could not check.
 */
export async function warnIfCrdStale(kubeConfig: KubeConfig, logger: Logger): Promise<void> {
  let installed;
  try {
    installed = await kubeConfig
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: TASK_CRD_NAME });
  } catch (err) {
    if (statusCodeOf(err) !== 404) {
      logger.warn(
        { err: (err as Error).message },
        'could not read the Task CRD to check its revision',
      );
      return;
    }
  }
  const warning = checkCrdVersion(installed);
  if (warning !== undefined) logger.warn({ crd: TASK_CRD_NAME }, warning);
}
