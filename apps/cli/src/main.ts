import { runCli } from './cli.js';

// Entry point loaded by bin/moat.js (after it made sure this is Node 24).
process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, cwd: process.cwd() });
