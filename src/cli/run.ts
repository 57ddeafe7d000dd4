import { Command, CommanderError } from 'commander';
import { isBimixError } from '../errors.js';
import { TOOL } from '../version.js';
import { COMMANDS } from './commands.js';
import { announceInterrupted, installSignalHandlers, uninstallSignalHandlers, wasInterrupted } from './signals.js';

/** Commander's own messages ("error: unknown option '--x'") in bimix's `bimix: error E_USAGE: ...` form. */
export function usageLine(commanderMessage: string): string {
  // One line: commander's "(Did you mean --x?)" suggestion joins the message.
  const text = commanderMessage
    .replace(/^error: /, '')
    .trim()
    .split(/\s*\n\s*/)
    .join(' ');
  return `bimix: error E_USAGE: ${text}\n`;
}

/** The one line printed for a bug: no stack trace unless BIMIX_DEBUG=1. */
export function internalErrorLine(e: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const debug = env.BIMIX_DEBUG === '1';
  const message = e instanceof Error ? e.message : String(e);
  if (debug && e instanceof Error && e.stack) return `bimix: internal error: ${e.stack}\n`;
  return `bimix: internal error: ${message}${debug ? '' : ' (set BIMIX_DEBUG=1 for a stack trace)'}\n`;
}

/** Runs the bimix command line with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('bimix')
    .description('Exact corpus statistics, entropy-driven data mixtures and mixing laws for LM pretraining.')
    .version(TOOL.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(usageLine(s)) });
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
    process.stderr.write(internalErrorLine(e));
    return 2;
  }
}
