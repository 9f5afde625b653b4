#!/usr/bin/env node
// The installed `cnn-lab` command: runs the bundled dist/cli.js (built by `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`cnn-lab: ${cli} is missing; run \`npm run build\` in ${join(__dirname, '..')} first\n`);
  process.exit(1);
}
require(cli).runFromProcess();
