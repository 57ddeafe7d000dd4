/** The law file of predict and optimize: `--from FILE`, with `--law FILE` kept as a hidden old spelling. */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { optionError } from '../errors.js';
import { readLawFile, type LawReport } from '../laws/index.js';
import { checkOutputPath, refuseOutputAmongInputs } from '../util/out-path.js';

const LAW_NAMES = ['bimix', 'exp', 'transfer', 'interaction', 'regression'];

/** Adds `--from <file>` and the hidden `--law <name|file>` to a command. */
export function lawFileOptions(cmd: Command): Command {
  return cmd
    .option('--from <file>', 'law file written by bimix fit (schema bimix.law/1)')
    .addOption(new Option('--law <name>', 'the law the file must hold (bimix, exp, transfer, interaction, regression); a file here is the old spelling of --from').hideHelp());
}

/** Reads the law file named by --from (or by the old --law FILE), checking --law NAME against it. */
export async function readLawInput(opts: { from?: string; law?: string; out?: string }): Promise<LawReport> {
  // --out is checked before the law is read: a bad output path costs nothing.
  checkOutputPath('--out', opts.out);
  const isName = opts.law !== undefined && LAW_NAMES.includes(opts.law) && !existsSync(opts.law);
  if (opts.from === undefined) {
    if (opts.law === undefined || isName) throw optionError('--from', 'the law file written by bimix fit', opts.law ?? undefined);
    refuseOutputAmongInputs('--out', opts.out, [opts.law]);
    return readLawFile(opts.law);
  }
  if (opts.law !== undefined && !isName) throw optionError('--law', 'a law name (bimix, exp, transfer, interaction or regression) beside --from', opts.law);
  refuseOutputAmongInputs('--out', opts.out, [opts.from]);
  const law = await readLawFile(opts.from);
  if (opts.law !== undefined && law.law !== opts.law) throw optionError('--law', `the law in ${opts.from} (${law.law})`, opts.law);
  return law;
}
