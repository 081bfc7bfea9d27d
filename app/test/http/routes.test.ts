import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodeOf,
  newAccount,
  type RunningApi,
  signIn,
  startApi,
  type Tokens,
} from '../support/api.js';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi({ REFRESH_REUSE_GRACE_SECONDS: '5' });
});
afterAll(async () => {
  await api.close();
});

describe('sessions', () => {
  it('answers login and refresh with the token response, durations in seconds', async () => {
    const account = newAccount();
    const login = await signIn(api, account);
    const refreshed = await api.request('/v1/sessions/refresh', {
      method: 'POST',
      json: { refreshToken: login.refreshToken },
    });

    for (const body of [login, (await refreshed.json()) as Tokens]) {
      expect(body).toMatchObject({
        sessionId: login.sessionId,
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
      });
      // JWT times are whole seconds, so a second may already have started to run out.
      expect(body.expiresIn).toBeGreaterThanOrEqual(899);
      expect(body.expiresIn).toBeLessThanOrEqual(900);
      expect(body.refreshExpiresIn).toBeGreaterThanOrEqual(7 * 24 * 3600 - 1);
      expect(body.refreshExpiresIn).toBeLessThanOrEqual(7 * 24 * 3600);
    }
  });

  it('lists the caller’s sessions, revokes one, then all', async () => {
    const account = newAccount();
    const first = await signIn(api, account);
    const second = await signIn(api, account, false);

    const listed = await api.request('/v1/sessions', { token: second.accessToken });
    const { sessions } = (await listed.json()) as { sessions: { id: string; current: boolean }[] };
    expect(sessions.map((s) => [s.id, s.current])).toEqual([
      [first.sessionId, false],
      [second.sessionId, true],
    ]);

    const one = await api.request(`/v1/sessions/${first.sessionId}`, {
      method: 'DELETE',
      token: second.accessToken,
    });
    expect(one.status).toBe(204);
    expect(await errorCodeOf(await api.request('/v1/me', { token: first.accessToken }))).toBe(
      'AUTH_TOKEN_REVOKED',
    );

    const third = await signIn(api, account, false);
    const all = await api.request('/v1/sessions', { method: 'DELETE', token: third.accessToken });
    expect(all.status).toBe(204);
    expect(await all.text()).toBe('');
    for (const tokens of [second, third]) {
      const me = await api.request('/v1/me', { token: tokens.accessToken });
      expect(await errorCodeOf(me)).toBe('AUTH_TOKEN_REVOKED');
    }
    const fresh = await signIn(api, account, false);
    expect((await api.request('/v1/me', { token: fresh.accessToken })).status).toBe(200);
  });

  it('answers a concurrent refresh within the grace with 409 and keeps the session', async () => {
    const tokens = await signIn(api, newAccount());
    const refresh = () =>
      api.request('/v1/sessions/refresh', {
        method: 'POST',
        json: { refreshToken: tokens.refreshToken },
      });

    const first = await refresh();
    const second = await refresh();

    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect(await errorCodeOf(second)).toBe('AUTH_REFRESH_ALREADY_ROTATED');
    expect((await api.request('/v1/me', { token: tokens.accessToken })).status).toBe(200);
  });
});

describe('operations', () => {
  it('answers health, readiness, metrics and the OpenAPI document', async () => {
    await signIn(api, newAccount());

    expect((await api.request('/healthz')).status).toBe(200);
    expect((await api.request('/readyz')).status).toBe(200);
    const metrics = await (await api.request('/metrics')).text();
    expect(metrics).toMatch(
      /auth_http_request_duration_seconds_count\{[^}]*route="\/v1\/sessions"/,
    );
    expect(metrics).toMatch(
      /auth_storage_operation_duration_seconds_count\{backend="memory",operation="sessions.create"\}/,
    );
    expect(metrics).toMatch(/auth_live_sessions [1-9]/);
    const openapi = (await (await api.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/users', '/v1/sessions', '/v1/sessions/refresh', '/v1/me']),
    );
  });

  it('answers 503 AUTH_STORE_UNAVAILABLE on /readyz when the store is not ready', async () => {
    const closing = await startApi();
    try {
      await closing.storage.close();
      const response = await closing.request('/readyz');
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await errorCodeOf(response)).toBe('AUTH_STORE_UNAVAILABLE');
    } finally {
      await closing.close();
    }
  });
});
