import { Command, CommanderError } from 'commander';
import { registerAgent } from './agent.js';
import { registerController } from './controller.js';
import { registerDemo } from './demo.js';
import { registerLocal } from './local.js';

/** Builds the `task-router` command tree; each subcommand lives in its own module. */
export function buildProgram(): Command {
  const program = new Command('task-router')
    .description('Runs short commands on a pool of long-lived agents, driven by Task resources.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerLocal(program);
  registerAgent(program);
  registerController(program);
  registerDemo(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    console.error(`task-router: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
