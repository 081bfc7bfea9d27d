import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { resolveSigningKeys } from '../src/signing-keys.js';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));
let dataDir: string | null = null;
afterEach(async () => {
  if (dataDir !== null) await rm(dataDir, { recursive: true, force: true });
});

describe('resolveSigningKeys', () => {
  it('generates a 256-bit development key once, mode 0600, and reuses it', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'auth-keys-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    const lines: string[] = [];
    const log = {
      warn: (details: object, message: string) => lines.push(message + JSON.stringify(details)),
    };

    const [first] = await resolveSigningKeys(config, log);
    const [second] = await resolveSigningKeys(config, log);

    expect(first?.secret.length).toBe(32);
    expect(second?.kid).toBe(first?.kid);
    expect(Buffer.from(second?.secret ?? []).equals(Buffer.from(first?.secret ?? []))).toBe(true);
    const file = await stat(join(dataDir, 'jwt-development-key.json'));
    expect(file.mode & 0o777).toBe(0o600);
    expect(lines.join('')).toContain('development signing key');
    expect(lines.join('')).not.toContain(Buffer.from(first?.secret ?? []).toString('base64url'));
  });

  it('gives instances that start at once the same key, never a half-written file', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'auth-keys-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    const log = { warn: () => undefined };

    const keys = await Promise.all(
      Array.from({ length: 20 }, () => resolveSigningKeys(config, log)),
    );

    const kids = new Set(keys.map(([key]) => key?.kid));
    expect(kids.size).toBe(1);
    expect(await readdir(dataDir)).toEqual(['jwt-development-key.json']);
  });

  it('gives separate processes that start at once the same key', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'auth-keys-'));
    const script = [
      "import { loadConfig } from './src/config.ts';",
      "import { resolveSigningKeys } from './src/signing-keys.ts';",
      'const config = loadConfig({ DATA_DIR: process.env.KEY_DIR });',
      'const [key] = await resolveSigningKeys(config, { warn() {} });',
      'console.log(key.kid);',
    ].join('\n');
    const runs = Array.from({ length: 6 }, () =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: appDir,
        env: { ...process.env, KEY_DIR: dataDir ?? '' },
      }),
    );

    const kids = (await Promise.all(runs)).map(({ stdout }) => stdout.trim());
    expect(new Set(kids).size).toBe(1);
  });
});
