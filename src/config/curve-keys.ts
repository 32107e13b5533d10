import { readFileSync } from 'node:fs';

/** A CURVE key as ZeroMQ takes it: 40 characters of Z85 text. */
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** Endpoints only this machine can reach; an unauthenticated socket may bind only these. */
export const LOOPBACK_ENDPOINT = /^(tcp|ws):\/\/(127\.[0-9.]+|localhost|\[::1\]):/;

/**
 * Reads one CURVE key given inline or as a file (a Secret mounted in a pod). `flag` names the
 * option in the error, e.g. `--curve-secret-key`; `fail` builds the caller's error class.
 */
export function readCurveKey(
  flag: string,
  inline: string | undefined,
  file: string | undefined,
  fail: (message: string) => Error,
): string | undefined {
  let raw = inline;
  if (raw === undefined && file !== undefined) {
    try {
      raw = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw fail(`${flag}-file: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  if (raw !== undefined && !Z85_KEY.test(raw)) {
    throw fail(`${flag}: expected a 40-character Z85 key, got ${raw.length} characters`);
  }
  return raw;
}
