#!/usr/bin/env node
// Entry point of the `spate` command. It checks the Node.js version before loading the commands, whose
// modules need a newer Node than many machines ship: an old Node gets one line saying what is needed.
import { nodeVersionProblem } from '../node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== null) {
  process.stderr.write(`spate: ${problem}\n`);
  process.exit(1);
}
await import('./program.js');
