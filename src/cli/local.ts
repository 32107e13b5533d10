import type { Command } from 'commander';

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
    .action(() => {
      throw new Error('local: not built yet');
    });
}
