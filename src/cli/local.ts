import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startLocalCluster } from '../localcluster/index.js';

/** Options of `task-router local`, as commander hands them over. */
interface LocalFlags {
  port: string;
  kubeconfig: string;
  crds?: string;
}

/** Parses `--port`: an integer 0-65535 (0 picks a free port). */
function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port > 65535) {
    throw new Error(`--port: expected an integer 0-65535, got "${raw}"`);
  }
  return port;
}

/** Resolves once SIGINT or SIGTERM arrives. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Starts the control plane, prints how to reach it, and runs until interrupted. */
async function runLocal(flags: LocalFlags): Promise<void> {
  const port = parsePort(flags.port);
  const kubeconfigPath = resolve(flags.kubeconfig);
  const cluster = await startLocalCluster({
    port,
    kubeconfigPath,
    ...(flags.crds === undefined ? {} : { crdDir: resolve(flags.crds) }),
  });
  // Later: --agents N starts a controller and agents against this server here.
  console.log(`task-router local control plane listening on ${cluster.url}`);
  console.log(`kubeconfig written to ${kubeconfigPath}`);
  console.log(`try: kubectl --kubeconfig ${kubeconfigPath} get tasks`);
  const sig = await untilSignal();
  console.log(`received ${sig}, shutting down`);
  await cluster.close();
}

/** `task-router local`: the embedded control plane (see src/localcluster/). */
export function registerLocal(program: Command): void {
  program
    .command('local')
    .description('Run an embedded local control plane that speaks the Kubernetes API.')
    .option('--port <n>', 'port to listen on (loopback only); 0 picks a free one', '0')
    .option(
      '--kubeconfig <file>',
      'where to write the kubeconfig for this server',
      'kubeconfig.yaml',
    )
    .option('--crds <dir>', "folder of CRD manifests to load (default: the project's crds/)")
    .action(async (flags: LocalFlags) => {
      await runLocal(flags);
    });
}
