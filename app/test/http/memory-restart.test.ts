import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/http/server.js';
import { MemoryStorage } from '../../src/infrastructure/memory/memory-storage.js';
import { newAccount, signIn, startApi, TEST_KEY } from '../support/api.js';

/** A fresh process's server: its own memory, the same signing key, its clock `aheadMs` on. */
async function restartedServer(aheadMs: number) {
  const clock = () => Date.now() + aheadMs;
  return buildServer({
    config: loadConfig({
      JWT_SIGNING_KEYS: `${TEST_KEY.kid}:${TEST_KEY.secret.toString('base64url')}`,
      LOG_LEVEL: 'silent',
    }),
    storage: async () => new MemoryStorage({ clock }),
    clock,
  });
}

describe('memory backend restart', () => {
  it('refuses an access token an earlier process issued, even one it had revoked', async () => {
    const before = await startApi();
    const tokens = await signIn(before, newAccount());
    const revoked = await before.request('/v1/sessions/current', {
      method: 'DELETE',
      token: tokens.accessToken,
    });
    expect(revoked.status).toBe(204);
    await before.close();

    // Two seconds on: the new process surely starts in a later second than the token's `iat`.
    const after = await restartedServer(2_000);
    try {
      const response = await after.inject({
        url: '/v1/me',
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });

      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    } finally {
      await after.close();
    }
  });

  it('honours the tokens it issues itself from its first second', async () => {
    const api = await startApi();
    try {
      const tokens = await signIn(api, newAccount());

      const response = await api.request('/v1/me', { token: tokens.accessToken });
      expect(response.status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
