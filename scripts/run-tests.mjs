#!/usr/bin/env node
// Runs every check of the repository in order (types, lint, tests) and ends with one plain
// line `Tests: N passed, N failed, N skipped` that CI and people can read at a glance.
// Vitest's own summary stays on screen; its JSON report is where the counts come from.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, '.test-results');
const reportFile = join(resultsDir, 'vitest.json');
const extraArgs = process.argv.slice(2);

function step(name, command, args) {
  process.stderr.write(`\n== ${name}: ${[command, ...args].join(' ')}\n`);
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return status === 0;
}

const staticChecksPassed =
  step('types', 'npm', ['run', '--silent', 'typecheck']) &&
  step('lint', 'npx', ['biome', 'check', '.']);

// helm and the Kubernetes schema checker are Go programs built from pinned modules; building
// them here (minutes on a fresh machine, nothing afterwards) keeps test timeouts honest.
const toolsReady = step('tools', 'node', ['scripts/go-tools.mjs', 'prepare']);

mkdirSync(resultsDir, { recursive: true });
rmSync(reportFile, { force: true });
const testsPassed = step('tests', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...extraArgs,
]);

let counts = { passed: 0, failed: 0, skipped: 0 };
try {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  counts = {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
  };
} catch {
  process.stderr.write('no test report was written: the test run did not complete\n');
}

if (!staticChecksPassed || !toolsReady) counts.failed += 1;
process.stdout.write(
  `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
);
process.exit(
  staticChecksPassed && toolsReady && testsPassed && counts.failed === 0 && counts.passed > 0
    ? 0
    : 1,
);
