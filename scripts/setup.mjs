#!/usr/bin/env node
// Brings a fresh clone to the point where `npm start` and `npm test` can run: npm packages
// when they are missing or older than the lockfile, and the Debian packages that the product
// runs (redis-server, redis-sentinel) and its chaos tests use (iproute2). Plain Node with no
// dependencies, because it runs before anything is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const systemPackages = [
  { binary: 'redis-server', debianPackage: 'redis-server' },
  { binary: 'redis-sentinel', debianPackage: 'redis-sentinel' },
  // `ip netns` and veth pairs, for the chaos test that isolates the master.
  { binary: 'ip', debianPackage: 'iproute2' },
];

function log(message) {
  process.stderr.write(`setup: ${message}\n`);
}

function npmPackagesAreCurrent() {
  const installedMarker = join(root, 'node_modules', '.package-lock.json');
  const lockfile = join(root, 'package-lock.json');
  if (!existsSync(installedMarker)) return false;
  if (!existsSync(lockfile)) return true;
  return statSync(installedMarker).mtimeMs >= statSync(lockfile).mtimeMs;
}

function ensureNpmPackages() {
  if (npmPackagesAreCurrent()) return;
  const command = existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install';
  log(`installing npm packages (npm ${command})`);
  execFileSync('npm', [command, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

function isOnPath(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function ensureSystemPackages() {
  const missing = systemPackages.filter(({ binary }) => !isOnPath(binary));
  if (missing.length === 0) return;

  const names = missing.map(({ debianPackage }) => debianPackage);
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && !isOnPath('sudo')) {
    throw new Error(`missing ${names.join(', ')}: install with apt-get install ${names.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const runPrivileged = (args) =>
    asRoot
      ? execFileSync(args[0], args.slice(1), { stdio: 'inherit', env })
      : execFileSync('sudo', ['-n', ...args], { stdio: 'inherit', env });

  log(`installing ${names.join(', ')} with apt-get`);
  runPrivileged(['apt-get', 'update', '-qq']);
  runPrivileged(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...names]);
}

ensureNpmPackages();
ensureSystemPackages();
