#!/usr/bin/env node
// Builds pinned Go tools (helm, k6, ...) into <repo>/.local/bin with `go install`, once: the
// registries we reach serve Go modules, not release binaries. Later calls reuse the binary.
//
//   import { ensureGoTool } from './go-tools.mjs';
//   const helm = ensureGoTool({ name: 'helm', module: 'helm.sh/helm/v4/cmd/helm', version: 'v4.3.2' });
//
// A stamp file beside the binary records module@version, so changing the pin rebuilds rather
// than running a stale binary. From a shell: `node scripts/go-tools.mjs <name> <module> <version>`,
// or `node scripts/go-tools.mjs prepare` for every tool the tests use.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Directory that holds every tool built by this script (gitignored through `.local/`). */
export const goToolsDir = join(root, '.local', 'bin');

/**
 * Returns the path of `<name>` built from `module@version`, building it when missing.
 * @param {{ name: string, module: string, version: string }} tool
 * @returns {string}
 */
export function ensureGoTool({ name, module, version }) {
  if (!/^v\d+\.\d+\.\d+/.test(version)) {
    throw new Error(`ensureGoTool: version must be a pinned semver like v1.2.3, got "${version}"`);
  }
  const binary = join(goToolsDir, name);
  const stamp = join(goToolsDir, `.${name}.version`);
  const wanted = `${module}@${version}`;
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) {
    return binary;
  }

  // Build into a private directory first, so a concurrent caller never runs a half-written file.
  const buildDir = join(goToolsDir, `.build-${name}-${version}-${process.pid}`);
  mkdirSync(buildDir, { recursive: true });
  process.stderr.write(`go-tools: building ${module}@${version} (first time only)\n`);
  execFileSync('go', ['install', `${module}@${version}`], {
    env: { ...process.env, GOBIN: buildDir, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const built = join(buildDir, module.split('/').at(-1) ?? name);
  if (!existsSync(built)) throw new Error(`go-tools: ${module}@${version} built no ${built}`);
  renameSync(built, binary);
  rmSync(buildDir, { recursive: true, force: true });
  writeFileSync(stamp, `${wanted}\n`);
  return binary;
}

/**
 * Returns the path of `<name>` built from the Go module in `dir` (a program of this repository),
 * rebuilding it when a file of `dir` is newer than the binary.
 * @param {{ name: string, dir: string }} tool
 * @returns {string}
 */
export function ensureLocalGoTool({ name, dir }) {
  const binary = join(goToolsDir, name);
  const newestSource = Math.max(
    ...readdirSync(dir).map((file) => statSync(join(dir, file)).mtimeMs),
  );
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestSource) return binary;

  mkdirSync(goToolsDir, { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  process.stderr.write(`go-tools: building ${name} from ${dir}\n`);
  execFileSync('go', ['build', '-o', partial, '.'], {
    cwd: dir,
    env: { ...process.env, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  renameSync(partial, binary);
  return binary;
}

/** The Go tools the test suite runs, pinned here once; `prepare` builds them all. */
export const testTools = {
  helm: { name: 'helm', module: 'helm.sh/helm/v4/cmd/helm', version: 'v4.3.2' },
  kubeCheck: { name: 'kube-check', dir: join(root, 'test', 'pulumi', 'kube-check') },
};

/** Builds every test tool; run before the tests, so no test spends minutes compiling. */
export function prepareTestTools() {
  ensureGoTool(testTools.helm);
  ensureLocalGoTool(testTools.kubeCheck);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'prepare') {
    prepareTestTools();
    process.exit(0);
  }
  const [name, module, version] = [command, ...rest];
  if (!name || !module || !version) {
    process.stderr.write('usage: node scripts/go-tools.mjs prepare | <name> <module> <version>\n');
    process.exit(2);
  }
  process.stdout.write(`${ensureGoTool({ name, module, version })}\n`);
}
