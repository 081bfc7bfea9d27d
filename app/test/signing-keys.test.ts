import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { resolveSigningKeys } from '../src/signing-keys.js';

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
});
