#!/usr/bin/env node
import { internalErrorLine, runCli } from './run.js';

// A bug that escapes the command's promise still ends with one line, not a stack trace.
const die = (e: unknown) => {
  process.stderr.write(internalErrorLine(e));
  process.exit(2);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(internalErrorLine(e));
    process.exitCode = 2;
  },
);
