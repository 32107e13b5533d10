import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  CRD_VERSION_ANNOTATION,
  EXPECTED_CRD_VERSION,
  checkCrdVersion,
  type CrdLike,
} from '../../src/controller/crd-version.js';
import { ROOT } from './helpers.js';

const crd = (version?: string): CrdLike => {
  const annotations: Record<string, string> = {};
  if (version !== undefined) annotations[CRD_VERSION_ANNOTATION] = version;
  return { metadata: { annotations } };
};

describe('checkCrdVersion', () => {
  it('is quiet when the installed CRD is the expected revision', () => {
    expect(checkCrdVersion(crd('3'), 3)).toBeUndefined();
  });

  it.each([
    ['older', crd('2'), /revision 2, older than revision 3.*apply --server-side/],
    ['unannotated', crd(), /no taskrouter.io\/crd-version annotation/],
    ['newer', crd('4'), /newer than revision 3/],
    ['garbled', crd('v3'), /expected a positive integer, got "v3"/],
    ['missing', undefined, /not installed/],
  ])('warns when the installed CRD is %s', (_name, installed, message) => {
    expect(checkCrdVersion(installed, 3)).toMatch(message);
  });

  it('expects the revision that crds/ carries', () => {
    const file = parse(readFileSync(`${ROOT}crds/taskrouter.io_tasks.yaml`, 'utf8')) as {
      metadata: { annotations: Record<string, string> };
    };
    expect(file.metadata.annotations[CRD_VERSION_ANNOTATION]).toBe(String(EXPECTED_CRD_VERSION));
    expect(checkCrdVersion(file)).toBeUndefined();
  });
});
