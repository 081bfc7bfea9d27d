import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, SigningKey } from './config.js';

const DEV_KEY_FILE = 'jwt-development-key.json';

interface KeyLog {
  warn(details: object, message: string): void;
}

/**
 * The configured signing keys, or a development key kept in DATA_DIR: generated once
 * (256 bits, file mode 0600) and reused on the next start, so a restart keeps tokens valid.
 */
export async function resolveSigningKeys(config: Config, log: KeyLog): Promise<SigningKey[]> {
  if (config.signingKeys !== null) return [...config.signingKeys];

  const path = join(config.dataDir, DEV_KEY_FILE);
  const key = (await readDevelopmentKey(path)) ?? (await writeDevelopmentKey(path));
  log.warn({ kid: key.kid, path }, 'JWT_SIGNING_KEYS unset: using a development signing key');
  return [key];
}

async function readDevelopmentKey(path: string): Promise<SigningKey | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const stored = JSON.parse(text) as { kid?: unknown; secret?: unknown };
  if (typeof stored.kid !== 'string' || typeof stored.secret !== 'string') {
    throw new Error(`${path} is not a development key file; delete it to generate a new key`);
  }
  return { kid: stored.kid, secret: Buffer.from(stored.secret, 'base64url') };
}

async function writeDevelopmentKey(path: string): Promise<SigningKey> {
  const kid = `dev-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32);
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });

  // Written whole under a private name, then linked into place: `link` fails when the file
  // exists, so of several instances starting at once exactly one key wins, and no instance
  // ever reads a half-written file.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, JSON.stringify({ kid, secret: secret.toString('base64url') }), {
    mode: 0o600,
    flag: 'wx',
  });
  try {
    await link(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  return (await readDevelopmentKey(path)) ?? { kid, secret };
}
