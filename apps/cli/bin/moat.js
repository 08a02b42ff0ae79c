#!/usr/bin/env node
// The `moat` command. Plain JavaScript so that any Node >= 18 can start it: Moat itself needs Node 24, so an
// older Node re-runs this file with the project's own Node (installed by `npm start` / `npm test`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REQUIRED_MAJOR = 24;
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED_MAJOR) {
  const projectNode = join(repoRoot, '.tools/node/node_modules/.bin/node');
  if (!existsSync(projectNode)) {
    process.stderr.write(
      `moat needs Node ${REQUIRED_MAJOR} (this is ${process.version}) and ${projectNode} is missing: run npm start or npm test first\n`,
    );
    process.exit(1);
  }
  const child = spawn(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Signals sent to this process (not only Ctrl-C from the terminal, which reaches both) go to the child,
  // which decides how to stop; this process waits and forwards its exit.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
  child.on('error', (err) => {
    process.stderr.write(`moat: cannot start ${projectNode}: ${err.message}\n`);
    process.exit(1);
  });
} else {
  const entry = join(here, '../dist/main.js');
  if (!existsSync(entry)) {
    process.stderr.write(`moat is not built (${entry} is missing): run npm run build, or npm start\n`);
    process.exit(1);
  }
  await import(pathToFileURL(entry).href);
}
