import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodeOf,
  newAccount,
  type RunningApi,
  signIn,
  startApi,
  type Tokens,
} from '../support/api.js';
import {
  eventually,
  type RedisTopology,
  redisServiceEnv,
  startStandalone,
} from '../support/redis.js';

/*
 * Two service instances over HTTP, each with its own RedisStorage, on one real redis-server:
 * what one instance does, the other honours. Revocations reach the other instance through
 * the revocation feed, so its refusal is awaited within REVOCATION_MAX_STALENESS_MS (2 s
 * here), the bound past which it would refuse with 503 anyway.
 */
const propagationBoundMs = 2_000;

function refresh(api: RunningApi, refreshToken: string): Promise<Response> {
  return api.request('/v1/sessions/refresh', { method: 'POST', json: { refreshToken } });
}

async function meStatus(api: RunningApi, tokens: Pick<Tokens, 'accessToken'>): Promise<number> {
  return (await api.request('/v1/me', { token: tokens.accessToken })).status;
}

async function refusedAsRevoked(api: RunningApi, tokens: Tokens): Promise<boolean> {
  const held = await eventually(
    async () => (await meStatus(api, tokens)) === 401,
    propagationBoundMs,
  );
  const response = await api.request('/v1/me', { token: tokens.accessToken });
  return held && (await errorCodeOf(response)) === 'AUTH_TOKEN_REVOKED';
}

describe('two instances on one redis-server', () => {
  let redis: RedisTopology;
  let one: RunningApi;
  let other: RunningApi;
  beforeAll(async () => {
    redis = await startStandalone();
    one = await startApi(redisServiceEnv(redis.url));
    other = await startApi(redisServiceEnv(redis.url));
  });
  afterAll(async () => {
    await one?.close();
    await other?.close();
    await redis?.stop();
  });

  it('honours on one instance a session created on the other', async () => {
    const tokens = await signIn(one, newAccount());

    const me = await other.request('/v1/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sessionId: tokens.sessionId });
    const listed = await other.request('/v1/sessions', { token: tokens.accessToken });
    const { sessions } = (await listed.json()) as { sessions: { id: string }[] };
    expect(sessions.map((session) => session.id)).toEqual([tokens.sessionId]);
  });

  it('refuses on one instance a session logged out on the other', async () => {
    const tokens = await signIn(one, newAccount());
    expect(await meStatus(other, tokens)).toBe(200);

    const logout = await one.request('/v1/sessions/current', {
      method: 'DELETE',
      token: tokens.accessToken,
    });
    expect(logout.status).toBe(204);

    expect(await refusedAsRevoked(other, tokens)).toBe(true);
    const refreshed = await refresh(other, tokens.refreshToken);
    expect(await errorCodeOf(refreshed)).toBe('AUTH_REFRESH_INVALID');
  });

  it('revokes the session everywhere when a token spent on one is reused on the other', async () => {
    const first = await signIn(one, newAccount());
    const rotated = await refresh(one, first.refreshToken);
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as Tokens;
    expect(await meStatus(other, second)).toBe(200);

    const reuse = await refresh(other, first.refreshToken);
    expect(reuse.status).toBe(401);
    expect(await errorCodeOf(reuse)).toBe('AUTH_REFRESH_REUSED');

    for (const api of [one, other]) expect(await refusedAsRevoked(api, second)).toBe(true);
    expect(await errorCodeOf(await refresh(one, second.refreshToken))).toBe('AUTH_REFRESH_INVALID');
  });

  it('logs a user out everywhere from one instance', async () => {
    const account = newAccount();
    const sessions = [await signIn(one, account), await signIn(other, account, false)];

    const all = await other.request('/v1/sessions', {
      method: 'DELETE',
      token: sessions[1]?.accessToken,
    });
    expect(all.status).toBe(204);

    for (const tokens of sessions) expect(await refusedAsRevoked(one, tokens)).toBe(true);
  });
});

describe('a restart of redis-server and of the service', () => {
  let redis: RedisTopology;
  const running: RunningApi[] = [];
  beforeAll(async () => {
    redis = await startStandalone();
  });
  afterAll(async () => {
    await Promise.all(running.map((api) => api.close()));
    await redis?.stop();
  });

  async function start(): Promise<RunningApi> {
    const api = await startApi(redisServiceEnv(redis.url));
    running.push(api);
    return api;
  }

  it('keeps every session and revocation as it was', async () => {
    const [one, other] = [await start(), await start()];
    const account = newAccount();
    const live = await signIn(one, account);
    const loggedOut = await signIn(other, account, false);
    const spent = await signIn(one, account, false);
    const afterRotation = (await (await refresh(other, spent.refreshToken)).json()) as Tokens;
    expect(
      (
        await other.request('/v1/sessions/current', {
          method: 'DELETE',
          token: loggedOut.accessToken,
        })
      ).status,
    ).toBe(204);

    await Promise.all(running.splice(0).map((api) => api.close()));
    await redis.stopNode('redis-0');
    await redis.restartNode('redis-0');
    const fresh = await start();

    expect(await meStatus(fresh, live)).toBe(200);
    expect(await meStatus(fresh, afterRotation)).toBe(200);
    expect(await errorCodeOf(await fresh.request('/v1/me', { token: loggedOut.accessToken }))).toBe(
      'AUTH_TOKEN_REVOKED',
    );
    expect(await errorCodeOf(await refresh(fresh, loggedOut.refreshToken))).toBe(
      'AUTH_REFRESH_INVALID',
    );
    const listed = await fresh.request('/v1/sessions', { token: live.accessToken });
    const { sessions } = (await listed.json()) as { sessions: { id: string }[] };
    expect(sessions.map((session) => session.id).sort()).toEqual(
      [live.sessionId, spent.sessionId].sort(),
    );

    // The token spent before the restart is still known as spent: reuse revokes its session.
    expect(await errorCodeOf(await refresh(fresh, spent.refreshToken))).toBe('AUTH_REFRESH_REUSED');
    expect(await refusedAsRevoked(fresh, afterRotation)).toBe(true);
    expect((await signIn(fresh, account, false)).sessionId).toEqual(expect.any(String));
  });
});
