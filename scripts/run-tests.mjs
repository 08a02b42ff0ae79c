#!/usr/bin/env node
// The whole test run behind `npm test` (after `scripts/setup.sh --no-build`): every Nx project's build, lint
// and own test target (the console's Angular unit tests), the lint of the files outside the projects, then
// every Vitest project (unit specs and the integration suites, which start their own nats-server, clamd, CSM
// and nodes on free ports). Ends with the plain line CI reads: `N passed, N failed[, N skipped]`, where each
// project's build, lint and test target, and the outside lint, count as one check each and each Vitest test
// as one; exits non-zero when anything failed or no test ran. A failed build is counted, not fatal, so the
// run still reports.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = resolve(root, 'var/test-results');
const vitestJson = resolve(resultsDir, 'vitest.json');
const OUTSIDE_PROJECTS = ['scripts', 'benchmarks', 'test', 'eslint.config.js', 'vitest.config.ts'];
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };

/** Runs a command with inherited stdio, or echoes and captures its stdout and stderr, and resolves with its exit code and output. */
function run(command, args, { capture = false } = {}) {
  return new Promise((resolveRun, reject) => {
    const io = capture ? 'pipe' : 'inherit';
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', io, io] });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** Runs one Nx target in every project that has it; each project's task counts as one check. */
async function nxTarget(target) {
  const listed = await run('nx', ['show', 'projects', '--withTarget', target, '--json'], { capture: true });
  const projects = listed.code === 0 ? JSON.parse(listed.output) : [];
  const result = await run('nx', ['run-many', '-t', target, '--outputStyle=static'], { capture: true });
  // Nx lists the failed tasks as "- <project>:<target>" after "Failed tasks:".
  const failedSection = result.output.split('Failed tasks:')[1] ?? '';
  const failed = projects.filter((project) => failedSection.includes(`- ${project}:${target}`));
  // A failure Nx did not attribute to a project (or a project list that could not be read) still counts.
  const unattributed = (result.code !== 0 || listed.code !== 0) && failed.length === 0 ? 1 : 0;
  const summary = { passed: projects.length - failed.length, failed: failed.length + unattributed, skipped: 0 };
  const names = failed.length ? ` (${failed.join(', ')})` : '';
  console.log(`[test] ${target}: ${summary.passed} projects passed, ${summary.failed} failed${names}`);
  return summary;
}

/** Files outside the Nx projects (scripts, benchmarks, integration suites, root configs): one check. */
async function lintOutsideProjects() {
  const { code } = await run('eslint', OUTSIDE_PROJECTS);
  const summary = { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
  console.log(`[test] lint ${OUTSIDE_PROJECTS.join(' ')}: ${code === 0 ? 'passed' : 'failed'}`);
  return summary;
}

/**
 * The integration suites and their harness type-checked against the code they drive (test/tsconfig.json): Vitest
 * strips types, so a changed contract (a proto message, an API shape) would otherwise only show when a test runs.
 */
async function typecheckTests() {
  const { code } = await run('tsc', ['-p', 'test/tsconfig.json']);
  const summary = { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
  console.log(`[test] typecheck test: ${code === 0 ? 'passed' : 'failed'}`);
  return summary;
}

async function vitestRun() {
  rmSync(vitestJson, { force: true });
  const { code } = await run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile=${vitestJson}`]);
  let report;
  try {
    report = JSON.parse(readFileSync(vitestJson, 'utf8'));
  } catch {
    console.error(`[test] Vitest wrote no readable report (${vitestJson}); exit code ${code}`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  // A test file that fails to load has no failed test but a failed suite: count it too.
  const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && file.assertionResults.every((t) => t.status !== 'failed'));
  for (const file of brokenFiles) {
    const notRun = file.assertionResults.filter((t) => t.status !== 'passed').length;
    console.error(`[test] failed to run: ${file.name}: ${file.message || `a hook failed (error above); ${notRun} tests not run`}`);
  }
  const failed = report.numFailedTests + brokenFiles.length + (code !== 0 && report.numFailedTests + brokenFiles.length === 0 ? 1 : 0);
  const summary = { passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests };
  console.log(`[test] vitest: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
  return summary;
}

mkdirSync(resultsDir, { recursive: true });
// `test` targets are the projects with a runner of their own (the console's Angular unit tests); everything
// else is in the one Vitest run.
const checks = [await nxTarget('build'), await nxTarget('lint'), await nxTarget('test'), await lintOutsideProjects(), await typecheckTests(), await vitestRun()];
const passed = checks.reduce((sum, c) => sum + c.passed, 0);
const failed = checks.reduce((sum, c) => sum + c.failed, 0);
const skipped = checks.reduce((sum, c) => sum + c.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || checks.at(-1).passed === 0 ? 1 : 0;
