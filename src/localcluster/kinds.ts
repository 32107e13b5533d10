import { crdToTypes } from './crd.js';
import type { Obj } from './object-util.js';
import { isObj, metaOf, nowTimestamp } from './object-util.js';
import type { ResourceType } from './resource-types.js';

/**
 * What the API server does for particular kinds on every write, beyond the generic rules:
 * Secret `stringData`, Namespace phase and name label, CRD status and early validation.
 */
export function prepareKind(t: ResourceType, obj: Obj): void {
  if (t.crdName !== undefined) return;
  if (t.group === '' && t.kind === 'Secret') prepareSecret(obj);
  else if (t.group === '' && t.kind === 'Namespace') prepareNamespace(obj);
  else if (t.kind === 'CustomResourceDefinition') prepareCrd(obj);
}

function prepareSecret(obj: Obj): void {
  if (isObj(obj.stringData)) {
    const data: Obj = isObj(obj.data) ? { ...obj.data } : {};
    for (const [k, v] of Object.entries(obj.stringData)) {
      data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    }
    obj.data = data;
  }
  delete obj.stringData;
  if (obj.type === undefined) obj.type = 'Opaque';
}

function prepareNamespace(obj: Obj): void {
  const meta = metaOf(obj);
  const labels: Obj = isObj(meta.labels) ? { ...meta.labels } : {};
  labels['kubernetes.io/metadata.name'] = meta.name;
  meta.labels = labels;
  const status: Obj = isObj(obj.status) ? { ...obj.status } : {};
  if (meta.deletionTimestamp !== undefined) status.phase = 'Terminating';
  else if (status.phase === undefined) status.phase = 'Active';
  obj.status = status;
}

function prepareCrd(obj: Obj): void {
  const types = crdToTypes(obj); // throws a 422 when the CRD cannot serve anything
  const spec = obj.spec as Obj;
  const now = nowTimestamp();
  const first = types[0];
  const condition = (type: string, reason: string, message: string): Obj => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  obj.status = {
    acceptedNames: spec.names,
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    storedVersions: first === undefined ? [] : [first.storageVersion],
  };
}
