import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorCodeOf, newAccount, type RunningApi, signIn, startApi } from '../support/api.js';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

it('walks register, login, me, refresh, reuse, login, logout', async () => {
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
});
