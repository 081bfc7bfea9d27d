import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import type { Storage } from '../../src/domain/ports.js';
import { buildServer, type OpenStorage } from '../../src/http/server.js';
import { MemoryStorage } from '../../src/infrastructure/memory/memory-storage.js';
import { createStorage } from '../../src/storage-factory.js';

export const TEST_KEY = { kid: 'test-1', secret: randomBytes(32) };

/**
 * A server listening on a free loopback port, with its log lines captured. The storage is
 * opened the way the service opens it (memory, or redis when `STORAGE_BACKEND=redis` and a
 * `REDIS_URL` are in `env`) and closed with the server. Only the memory backend follows
 * `advance`: Redis expires keys by its own clock.
 */
export interface RunningApi {
  readonly baseUrl: string;
  readonly app: FastifyInstance;
  readonly storage: Storage;
  readonly logs: string[];
  /** Moves the service's clock (ms); the clock starts at the wall clock. */
  advance(ms: number): void;
  request(path: string, init?: RequestInit & { json?: unknown; token?: string }): Promise<Response>;
  close(): Promise<void>;
}

export async function startApi(
  env: Record<string, string> = {},
  wrapStorage: (storage: Storage) => Storage = (storage) => storage,
): Promise<RunningApi> {
  const dataDir = await mkdtemp(join(tmpdir(), 'auth-api-'));
  const config = loadConfig({
    JWT_SIGNING_KEYS: `${TEST_KEY.kid}:${TEST_KEY.secret.toString('base64url')}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...env,
  });
  let offset = 0;
  const clock = () => Date.now() + offset;
  let storage: Storage | undefined;
  const open: OpenStorage = async (services) => {
    const base =
      config.storageBackend === 'memory'
        ? new MemoryStorage({ clock })
        : await createStorage(config, services);
    storage = wrapStorage(base);
    return storage;
  };
  const logs: string[] = [];
  const app = await buildServer({
    config,
    storage: open,
    clock,
    logger: { stream: { write: (line: string) => logs.push(line) } },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const opened = storage;
  if (opened === undefined) throw new Error('the server did not open its storage');
  return {
    baseUrl,
    app,
    storage: opened,
    logs,
    advance: (ms) => {
      offset += ms;
    },
    request(path, init = {}) {
      const { json, token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined) headers.set('content-type', 'application/json');
      if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
      const body = json === undefined ? rest.body : JSON.stringify(json);
      return fetch(`${baseUrl}${path}`, { ...rest, headers, body });
    },
    async close() {
      await app.close(); // closes the storage too
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Account {
  readonly email: string;
  readonly password: string;
}

export function newAccount(): Account {
  return {
    email: `user-${randomBytes(6).toString('hex')}@example.test`,
    password: `pw-${randomBytes(12).toString('base64url')}`,
  };
}

/** The token response of login and refresh. */
export interface Tokens {
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  refreshExpiresIn: number;
}

/** Registers the account (when asked) and logs it in. */
export async function signIn(api: RunningApi, account: Account, register = true): Promise<Tokens> {
  if (register) {
    const created = await api.request('/v1/users', { method: 'POST', json: account });
    if (created.status !== 201) throw new Error(`register answered ${created.status}`);
  }
  const login = await api.request('/v1/sessions', { method: 'POST', json: account });
  if (login.status !== 201) throw new Error(`login answered ${login.status}`);
  return (await login.json()) as Tokens;
}

export async function errorCodeOf(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: { code?: string } };
  return body.error?.code ?? '(no error code)';
}
