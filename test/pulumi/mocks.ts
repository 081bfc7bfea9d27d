// The one Pulumi mocks module: runs the real program (index.ts) for a stack's configuration
// with pulumi.runtime.setMocks and records every resource it registers. Pulumi's runtime is
// process-wide state, so each test file runs one stack (vitest gives every file its own fork).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** One resource the program registered, with the inputs it passed. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: inputs are arbitrary JSON shaped by each type
  readonly inputs: Record<string, any>;
}

/** What a program run leaves behind. */
export interface StackRun {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
  /** Every value a mock RandomPassword produced: none may show up outside a Secret. */
  readonly generatedSecrets: string[];
}

/** The stack's configuration as `pulumi config` gives it to the program: strings, objects as JSON. */
export function stackConfig(stack: string): Record<string, string> {
  const file = parse(readFileSync(`${repoRoot}Pulumi.${stack}.yaml`, 'utf8')) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

/** Runs index.ts under mocks with `config` and waits until every output has resolved. */
export async function runStack(stack: string, config = stackConfig(stack)): Promise<StackRun> {
  const resources: RecordedResource[] = [];
  const generatedSecrets: string[] = [];

  pulumi.runtime.setAllConfig(config);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
      },
      call(args) {
        return args.inputs;
      },
    },
    'auth-stack',
    stack,
    false,
  );

  function mockState(type: string, name: string, inputs: RecordedResource['inputs']) {
    if (type === 'random:index/randomPassword:RandomPassword') {
      // Long, unique and recognisable, so a leak is found by a plain substring search.
      const result = `mocksecret${generatedSecrets.length}x${name.replaceAll('-', '')}Zq7Wk2`;
      generatedSecrets.push(result);
      return { ...inputs, result };
    }
    if (type === 'docker:index/image:Image') {
      // No engine under mocks: the image just reports a name and a digest.
      const repository = String(inputs.imageName).replace(/:[^:/]+$/, '');
      return { ...inputs, repoDigest: `${repository}@sha256:${'ab'.repeat(32)}` };
    }
    return inputs;
  }

  const program = (await import('../../index.js')) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = pulumi.Output.isInstance(value) ? await resolved(value) : value;
  }
  await untilSettled(() => resources.length);
  return { resources, outputs, generatedSecrets };
}

/**
 * Resources whose inputs wait on other outputs register after the stack outputs resolve;
 * wait (bounded: at most ~5 s) until the count has stopped growing for a few turns.
 */
async function untilSettled(count: () => number): Promise<void> {
  let stableTurns = 0;
  let last = count();
  for (let turn = 0; turn < 250 && stableTurns < 10; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    stableTurns = count() === last ? stableTurns + 1 : 0;
    last = count();
  }
}

function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** The Kubernetes objects the program creates directly, as manifests (apiVersion, kind...). */
export function kubernetesObjects(run: StackRun): Record<string, unknown>[] {
  return run.resources
    .filter(
      (resource) => resource.type.startsWith('kubernetes:') && !resource.type.includes('helm'),
    )
    .map((resource) => {
      // `kubernetes:apps/v1:StatefulSet`, and `core/v1` for the groupless core API.
      const [, group = '', kind] = resource.type.split(':');
      const manifest = unwrapSecrets(resource.inputs) as Record<string, unknown>;
      return { apiVersion: group.replace(/^core\//, ''), kind, ...manifest };
    });
}

/** Only the recorded resources of one Pulumi type, e.g. `kubernetes:apps/v1:StatefulSet`. */
export function ofType(run: StackRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** Key Pulumi marks a secret value with when it serialises it (its "secret sig"). */
const secretSig = '4dabf18193072939515e22adb298388d';

function isSecretWrapper(value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && secretSig in value;
}

/** The value with every secret wrapper replaced by what it wraps (for manifests). */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretWrapper(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)]),
  );
}

/** Paths where one of `needles` appears in a string that is not inside a secret wrapper. */
export function plainTextLeaks(value: unknown, needles: readonly string[], path = '$'): string[] {
  if (isSecretWrapper(value)) return [];
  if (typeof value === 'string') {
    return needles.some((needle) => value.includes(needle)) ? [path] : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    plainTextLeaks(inner, needles, `${path}.${key}`),
  );
}
