import type { Command } from 'commander';
import { register as demoCommand } from './demo.js';
import { register as analyzeCommand } from './analyze.js';
import { register as mixCommand } from './mix.js';
import { register as fitCommand } from './fit.js';
import { register as predictCommand } from './predict.js';
import { register as optimizeCommand } from './optimize.js';
import { register as growCommand } from './grow.js';

/** A command module registers itself on the program; `setExit` records its exit code. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

/** Every command of the CLI, in help order. Each lives in its own file in this folder. */
export const COMMANDS: RegisterCommand[] = [demoCommand, analyzeCommand, mixCommand];

// Mixing laws and growth planning.
COMMANDS.push(fitCommand, predictCommand, optimizeCommand, growCommand);

// Map/merge across machines and Slurm.
import { register as countCommand } from './count.js';
import { register as mergeCommand } from './merge.js';
import { register as slurmCommand } from './slurm.js';
COMMANDS.push(countCommand, mergeCommand, slurmCommand);

// Entropy regression checks for CI.
import { register as checkCommand } from './check.js';
import { register as baselineCommand } from './baseline.js';
COMMANDS.push(checkCommand, baselineCommand);

// One self-contained HTML page from saved outputs.
import { register as reportCommand } from './report.js';
COMMANDS.push(reportCommand);
