#!/usr/bin/env node
import { runCli } from './program.js';
import { VERSION } from './version.js';

await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  exit: (code) => {
    process.exitCode = code;
  },
  version: VERSION,
  isTTY: process.stderr.isTTY === true,
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
});
