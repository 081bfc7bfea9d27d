// Validates rendered Kubernetes objects two ways, both offline and pinned:
// - kubernetes-models (npm): the OpenAPI schema of each kind (types, required fields, enums);
// - kube-check (test/pulumi/kube-check, Go): strict decoding into k8s.io/api v0.37.2 types,
//   which rejects unknown or misspelled fields, something the first one lets through.
import { spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import { repoRoot } from './mocks.js';

interface LocalGoTool {
  name: string;
  dir: string;
}
interface PinnedGoTool {
  name: string;
  module: string;
  version: string;
}
interface GoTools {
  ensureLocalGoTool(tool: LocalGoTool): string;
  ensureGoTool(tool: PinnedGoTool): string;
  testTools: { helm: PinnedGoTool; kubeCheck: LocalGoTool };
}

/** scripts/go-tools.mjs, loaded by path since it is plain JavaScript without types. */
export async function goTools(): Promise<GoTools> {
  return (await import(`${repoRoot}scripts/go-tools.mjs`)) as GoTools;
}

/** Kinds that are not part of the Kubernetes API itself (CRDs), skipped by both validators. */
const customKinds = new Set(['monitoring.coreos.com/v1/ServiceMonitor']);

/** One problem per invalid object: `Kind/name: reason`. An empty list means all are valid. */
export async function validateObjects(
  objects: readonly Record<string, unknown>[],
): Promise<string[]> {
  const builtIn = objects.filter(
    (object) => !customKinds.has(`${object.apiVersion}/${object.kind}`),
  );
  const problems = await Promise.all(builtIn.map(schemaProblem));
  return [
    ...problems.filter((problem) => problem !== undefined),
    ...(await strictProblems(builtIn)),
  ];
}

async function schemaProblem(object: Record<string, unknown>): Promise<string | undefined> {
  const label = describe(object);
  const path = `kubernetes-models/${object.apiVersion}/${object.kind}`;
  let model: { new (data: unknown): { validate(): void } };
  try {
    const module = (await import(path)) as Record<string, typeof model>;
    const found = module[String(object.kind)];
    if (!found) return `${label}: unknown kind`;
    model = found;
  } catch {
    return `${label}: unknown apiVersion/kind ${object.apiVersion}/${object.kind}`;
  }
  try {
    new model(object).validate();
    return undefined;
  } catch (error) {
    return `${label}: ${(error as Error).message}`;
  }
}

async function strictProblems(objects: readonly Record<string, unknown>[]): Promise<string[]> {
  if (objects.length === 0) return [];
  const tools = await goTools();
  const checker = tools.ensureLocalGoTool(tools.testTools.kubeCheck);
  const stream = objects.map((object) => stringify(object)).join('---\n');
  const run = spawnSync(checker, [], { input: stream, encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0 && run.status !== 1) throw new Error(`kube-check failed: ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { index: number; error?: string })
    .filter((result) => result.error !== undefined)
    .map((result) => `${describe(objects[result.index] ?? {})}: ${result.error}`);
}

function describe(object: Record<string, unknown>): string {
  const metadata = (object.metadata ?? {}) as { name?: string };
  return `${String(object.kind)}/${metadata.name ?? '?'}`;
}
