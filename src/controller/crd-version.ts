/**
 * The Task CRD carries a revision number in an annotation. Helm never upgrades CRDs it installed
 * from a chart's `crds/` folder, so a controller upgraded by Helm may run against an older schema
 * that prunes fields it writes; at start-up it compares the installed revision with its own.
 */

/** Annotation on the CRD holding its revision, a positive integer as a string. */
export const CRD_VERSION_ANNOTATION = 'taskrouter.io/crd-version';

/** The CRD revision this build of the controller expects; raised with every schema change. */
export const EXPECTED_CRD_VERSION = 1;

/** The name of the Task CRD, as the controller reads it from the API. */
export const TASK_CRD_NAME = 'tasks.taskrouter.io';

/** What `checkCrdVersion` needs of the installed CRD: only its annotations. */
export interface CrdLike {
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> | undefined };
}

const UPGRADE_HINT =
  'apply the CRDs shipped with this release: kubectl apply --server-side -f crds/';

/**
 * Compares the installed CRD's revision with `expected` (default `EXPECTED_CRD_VERSION`).
 * Returns a warning to log when they differ, is missing or unreadable, else undefined. Pure: the
 * caller reads the CRD (a missing CRD is passed as undefined) and logs the result.
 */
export function checkCrdVersion(
  installed: CrdLike | undefined,
  expected: number = EXPECTED_CRD_VERSION,
): string | undefined {
  if (installed === undefined) {
    return `CRD ${TASK_CRD_NAME} is not installed; ${UPGRADE_HINT}`;
  }
  const raw = installed.metadata?.annotations?.[CRD_VERSION_ANNOTATION];
  if (raw === undefined) {
    return `CRD ${TASK_CRD_NAME} has no ${CRD_VERSION_ANNOTATION} annotation, so it predates revision ${expected} that this controller expects; ${UPGRADE_HINT}`;
  }
  if (!/^[1-9][0-9]*$/.test(raw)) {
    return `CRD ${TASK_CRD_NAME} annotation ${CRD_VERSION_ANNOTATION}: expected a positive integer, got ${JSON.stringify(raw)}`;
  }
  const found = Number(raw);
  if (found < expected) {
    return `CRD ${TASK_CRD_NAME} is at revision ${found}, older than revision ${expected} that this controller expects; ${UPGRADE_HINT}`;
  }
  if (found > expected) {
    return `CRD ${TASK_CRD_NAME} is at revision ${found}, newer than revision ${expected} that this controller knows; the controller may be older than the installed CRDs`;
  }
  return undefined;
}
