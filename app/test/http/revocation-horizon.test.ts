import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyFrom } from '../../src/application/auth-context.js';
import { loadConfig } from '../../src/config.js';
import type { Storage } from '../../src/domain/ports.js';
import type { AccessTokenClaims, Revocation } from '../../src/domain/revocation.js';
import { newAccount, type RunningApi, signIn, startApi } from '../support/api.js';

const ACCESS_TTL_MS = 900_000;
const SKEW_MS = 60_000;

let api: RunningApi;
const recorded: Revocation[] = [];
beforeAll(async () => {
  api = await startApi({}, (storage) => recordingRevocations(storage, recorded));
});
afterAll(async () => {
  await api.close();
});

/** Claims of a token a racing refresh signs on an instance whose clock runs `aheadMs` ahead. */
function racingToken(sessionId: string, userId: string, decidedAt: number, aheadMs: number) {
  const iat = Math.floor((decidedAt + aheadMs) / 1000);
  const claims: AccessTokenClaims = {
    sub: userId,
    sid: sessionId,
    jti: 'racing',
    iat,
    exp: iat + 900,
  };
  return claims;
}

describe('revocation horizon', () => {
  it('keeps a logout until a token signed by a racing refresh on a fast clock expires', async () => {
    const tokens = await signIn(api, newAccount());
    const me = (await (await api.request('/v1/me', { token: tokens.accessToken })).json()) as {
      userId: string;
    };

    const decidedAt = Date.now();
    const loggedOut = await api.request('/v1/sessions/current', {
      method: 'DELETE',
      token: tokens.accessToken,
    });
    expect(loggedOut.status).toBe(204);

    const claims = racingToken(tokens.sessionId, me.userId, decidedAt, SKEW_MS - 1_000);
    const lastValidMoment = claims.exp * 1000 - 1;
    expect(api.storage.revocations.check(claims, lastValidMoment)).toEqual({
      status: 'revoked',
      by: 'session',
    });
  });

  it('gives every revoking route the same margin beyond the access token lifetime', async () => {
    recorded.length = 0;
    const decidedAt = Date.now();
    const one = await signIn(api, newAccount());
    const account = newAccount();
    const two = await signIn(api, account);
    const three = await signIn(api, account, false);
    const reused = await signIn(api, newAccount());
    const refresh = (refreshToken: string) =>
      api.request('/v1/sessions/refresh', { method: 'POST', json: { refreshToken } });

    await api.request('/v1/sessions/current', { method: 'DELETE', token: one.accessToken });
    await api.request(`/v1/sessions/${three.sessionId}`, {
      method: 'DELETE',
      token: two.accessToken,
    });
    await api.request('/v1/sessions', { method: 'DELETE', token: two.accessToken });
    expect((await refresh(reused.refreshToken)).status).toBe(200);
    expect((await refresh(reused.refreshToken)).status).toBe(401);

    const kinds = new Set(recorded.map((revocation) => revocation.kind));
    expect(kinds).toEqual(new Set(['session', 'user']));
    expect(recorded.length).toBeGreaterThanOrEqual(4);
    for (const revocation of recorded) {
      expect(revocation.until).toBeGreaterThanOrEqual(decidedAt + ACCESS_TTL_MS + SKEW_MS);
    }
  });

  it('adds the redis store’s longest bounded wait and the configured skew', () => {
    const memory = policyFrom(loadConfig({ CLOCK_SKEW_ALLOWANCE_SECONDS: '5' }));
    const redis = policyFrom(
      loadConfig({
        STORAGE_BACKEND: 'redis',
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_FAILOVER_WAIT_MS: '7000',
        REDIS_WAIT_TIMEOUT_MS: '500',
      }),
    );

    expect(memory.revocationHorizonMs).toBe(ACCESS_TTL_MS + 5_000);
    expect(redis.revocationHorizonMs).toBe(ACCESS_TTL_MS + 7_000 + 500 + SKEW_MS);
  });
});

function recordingRevocations(storage: Storage, into: Revocation[]): Storage {
  const revocations = {
    revoke: async (entries: readonly Revocation[]) => {
      into.push(...entries);
      await storage.revocations.revoke(entries);
    },
    check: storage.revocations.check.bind(storage.revocations),
  };
  return {
    backend: storage.backend,
    users: storage.users,
    sessions: storage.sessions,
    revocations,
    loginAttempts: storage.loginAttempts,
    isReady: () => storage.isReady(),
    close: () => storage.close(),
  };
}
