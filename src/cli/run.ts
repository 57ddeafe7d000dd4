import { Command, CommanderError } from 'commander';
import { isBimixError } from '../errors.js';
import { TOOL } from '../version.js';
import { COMMANDS } from './commands.js';
import { announceInterrupted, installSignalHandlers, uninstallSignalHandlers, wasInterrupted } from './signals.js';

/** Runs the bimix command line with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('bimix')
    .description('Exact corpus statistics, entropy-driven data mixtures and mixing laws for LM pretraining.')
    .version(TOOL.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code = 0;
  for (const register of COMMANDS) register(program, (c) => (code = c));
  installSignalHandlers();
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A signal after the outputs were published does not undo them: the normal code.
    uninstallSignalHandlers();
    return code;
  } catch (e) {
    // Whatever the unwinding threw, an interrupted run ends in its one line (handlers
    // stay installed until exit, so a second signal still exits at once).
    if (wasInterrupted()) {
      const detail = isBimixError(e) && e.code === 'E_INTERRUPTED' && !e.detail.startsWith('interrupted') ? e.detail : undefined;
      return announceInterrupted(detail);
    }
    uninstallSignalHandlers();
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (isBimixError(e)) {
      process.stderr.write(`bimix: error ${e.code}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`bimix: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}

