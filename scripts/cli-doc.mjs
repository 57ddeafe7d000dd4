#!/usr/bin/env node
/**
 * Writes docs/cli.md from the CLI itself: one table of every command's options, read from
 * `bimix COMMAND --help`, and the hidden old spellings kept for one release, read from the
 * registered commander options. `--check` exits 1 when docs/cli.md differs (used by the tests).
 * Needs dist/ (npx tsc -p .).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'dist', 'cli', 'main.js');
const target = path.join(root, 'docs', 'cli.md');

/** The help text; defaults that depend on the machine (the demo cache under $HOME) are written as ~. */
function help(args) {
  const r = spawnSync(process.execPath, [main, ...args, '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '80', XDG_CACHE_HOME: '~/.cache' } });
  if (r.status !== 0) throw new Error(`bimix ${args.join(' ')} --help exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The entries of a help section ("Options:" or "Commands:"): [term, description] with wrapped lines joined. */
function section(text, title) {
  const lines = text.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const out = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    const m = /^ {2}(\S.*?)(?: {2,}(\S.*))?$/.exec(line);
    if (m && !line.startsWith('   ')) out.push([m[1], m[2] ?? '']);
    else if (out.length > 0) out.at(-1)[1] = `${out.at(-1)[1]} ${line.trim()}`.trim();
  }
  return out;
}

const cell = (s) => s.replace(/\|/g, '\\|');

const commands = section(help([]), 'Commands').map(([term]) => term.split(' ')[0]).filter((c) => c !== 'help');
const rows = [];
for (const name of commands) {
  const text = help([name]);
  const usage = /^Usage: bimix (.*)$/m.exec(text)?.[1] ?? name;
  const args = usage.replace(/^\S+\s*/, '').replace('[options]', '').trim();
  if (args) rows.push([name, `\`${args}\``, 'arguments']);
  for (const [term, meaning] of section(text, 'Options')) {
    if (term === '-h, --help') continue;
    rows.push([name, `\`${term}\``, meaning]);
  }
}

// Hidden options are not in --help: read them from the commands as registered.
const { Command } = await import(pathToFileURL(path.join(root, 'node_modules', 'commander', 'index.js')).href);
const { COMMANDS } = await import(pathToFileURL(path.join(root, 'dist', 'cli', 'commands.js')).href);
const program = new Command();
for (const register of COMMANDS) register(program, () => {});
const aliases = [];
for (const cmd of program.commands) for (const o of cmd.options) if (o.hidden) aliases.push([cmd.name(), `\`${o.flags}\``, o.description]);

const doc = [
  '# Command-line options',
  '',
  'Every option of every command, as `bimix COMMAND --help` prints it (this page is generated from',
  'the help by `node scripts/cli-doc.mjs`; a test fails when they disagree). Errors are one line,',
  '`bimix: error CODE: message`, exit 2; see [errors.md](errors.md).',
  '',
  '| command | option | meaning |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  '',
  '## Old spellings kept for one release',
  '',
  'These are accepted but not shown in `--help`; use the new spelling.',
  '',
  '| command | old spelling | meaning |',
  '|---|---|---|',
  ...aliases.map((r) => `| ${r.map(cell).join(' | ')} |`),
  '| check | `--format text\\|json\\|junit\\|github\\|markdown` | an output name given to `--format` selects the reporter, with a note on stderr; use `--reporter` |',
  '',
].join('\n');

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== doc) {
    process.stderr.write(`${path.relative(process.cwd(), target)} is out of date: run node scripts/cli-doc.mjs\n`);
    process.exit(1);
  }
} else writeFileSync(target, doc);
