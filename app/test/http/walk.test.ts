import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf, newAccount, type RunningApi, signIn, startApi } from '../support/api.js';
import { type RedisTopology, redisServiceEnv, startStandalone } from '../support/redis.js';

/** The same walk against each backend; redis runs on a real redis-server of its own. */
describe.each(['memory', 'redis'] as const)('with the %s backend', (backend) => {
  let api: RunningApi;
  let redis: RedisTopology | undefined;
  beforeAll(async () => {
    if (backend === 'redis') redis = await startStandalone();
    api = await startApi(redis === undefined ? {} : redisServiceEnv(redis.url));
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  it('walks register, login, me, refresh, reuse, login, logout', async () => {
    expect(api.storage.backend).toBe(backend);
    await walk(api);
  });
});

async function walk(api: RunningApi): Promise<void> {
  const account = newAccount();
  const first = await signIn(api, account);

  const me = await api.request('/v1/me', { token: first.accessToken });
  expect(me.status).toBe(200);
  expect(await me.json()).toMatchObject({ email: account.email, sessionId: first.sessionId });

  const refreshed = await api.request('/v1/sessions/refresh', {
    method: 'POST',
    json: { refreshToken: first.refreshToken },
  });
  expect(refreshed.status).toBe(200);
  const second = (await refreshed.json()) as { accessToken: string; refreshToken: string };
  expect(second.refreshToken).not.toBe(first.refreshToken);

  const replay = await api.request('/v1/sessions/refresh', {
    method: 'POST',
    json: { refreshToken: first.refreshToken },
  });
  expect(replay.status).toBe(401);
  expect(await errorCodeOf(replay)).toBe('AUTH_REFRESH_REUSED');
  const revoked = await api.request('/v1/me', { token: second.accessToken });
  expect(revoked.status).toBe(401);
  expect(await errorCodeOf(revoked)).toBe('AUTH_TOKEN_REVOKED');
  const successorAfterReuse = await api.request('/v1/sessions/refresh', {
    method: 'POST',
    json: { refreshToken: second.refreshToken },
  });
  expect(await errorCodeOf(successorAfterReuse)).toBe('AUTH_REFRESH_INVALID');

  const again = await signIn(api, account, false);
  const logout = await api.request('/v1/sessions/current', {
    method: 'DELETE',
    token: again.accessToken,
  });
  expect(logout.status).toBe(204);
  const afterLogout = await api.request('/v1/me', { token: again.accessToken });
  expect(afterLogout.status).toBe(401);
  expect(await errorCodeOf(afterLogout)).toBe('AUTH_TOKEN_REVOKED');

  const secrets = [account.password, first.accessToken, first.refreshToken, second.refreshToken];
  const logText = api.logs.join('');
  for (const secret of secrets) expect(logText).not.toContain(secret);
}
