import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorCodeOf, newAccount, type RunningApi, signIn, startApi } from '../support/api.js';
import {
  eventually,
  type RedisTopology,
  redisServiceEnv,
  startStandalone,
} from '../support/redis.js';

/*
 * The service on a real redis-server that goes away and comes back: it fails closed with
 * 503 and Retry-After while Redis is gone, and serves again without a restart of its own.
 */
let redis: RedisTopology;
let api: RunningApi;
beforeAll(async () => {
  redis = await startStandalone();
  api = await startApi({ ...redisServiceEnv(redis.url), REDIS_FAILOVER_WAIT_MS: '1000' });
});
afterAll(async () => {
  await api?.close();
  await redis?.stop();
});

it('answers 503 with Retry-After during a redis outage and recovers by itself', async () => {
  const account = newAccount();
  const tokens = await signIn(api, account);
  const me = () => api.request('/v1/me', { token: tokens.accessToken });
  expect((await me()).status).toBe(200);

  await redis.stopNode('redis-0');

  expect(await eventually(async () => (await api.request('/readyz')).status === 503, 10_000)).toBe(
    true,
  );
  // The revocation view goes stale within REVOCATION_MAX_STALENESS_MS: no longer trusted.
  expect(await eventually(async () => (await me()).status === 503, 10_000)).toBe(true);
  const refused = await me();
  expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(await errorCodeOf(refused)).toBe('AUTH_STORE_UNAVAILABLE');
  const login = await api.request('/v1/sessions', { method: 'POST', json: account });
  expect(login.status).toBe(503);
  expect(login.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(await errorCodeOf(login)).toBe('AUTH_STORE_UNAVAILABLE');

  await redis.restartNode('redis-0');

  expect(await eventually(async () => (await api.request('/readyz')).status === 200, 15_000)).toBe(
    true,
  );
  expect((await me()).status).toBe(200);
  expect((await signIn(api, account, false)).sessionId).not.toBe(tokens.sessionId);
  const metrics = await (await api.request('/metrics')).text();
  expect(metrics).toMatch(/auth_redis_connection_events_total\{event="reconnecting",[^}]*\} [1-9]/);
});
