#!/usr/bin/env node
// The `dlc` launcher: runs the compiled CLI (npm run build writes dist/) and exits with its code.
import { runCli } from '../dist/cli/main.js';

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
