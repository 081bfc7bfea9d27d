// Runs the real helm (helm.sh/helm/v4 v4.3.2, built once by scripts/go-tools.mjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { goTools } from './kube-validate.js';
import { repoRoot } from './mocks.js';

export const chartDir = `${repoRoot}charts/auth-service`;

export async function helmBinary(): Promise<string> {
  const tools = await goTools();
  return tools.ensureGoTool(tools.testTools.helm);
}

/** Runs helm with `args`; returns its output, throwing with stderr on failure. */
export async function helm(args: readonly string[]): Promise<string> {
  const run = spawnSync(await helmBinary(), args, { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`helm ${args[0]} failed: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

/** `helm template` of the chart with `values` (written to a temp file), as objects. */
export async function renderChart(
  values: unknown,
  release = 'auth-service',
  namespace = 'auth-stack',
): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'auth-chart-'));
  try {
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values ?? {}));
    const out = await helm([
      'template',
      release,
      chartDir,
      '--namespace',
      namespace,
      '-f',
      valuesFile,
    ]);
    return parseAllDocuments(out)
      .map((document) => document.toJS() as Record<string, unknown> | null)
      .filter((object): object is Record<string, unknown> => object !== null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
