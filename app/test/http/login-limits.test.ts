import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/domain/ports.js';
import {
  type Account,
  errorCodeOf,
  newAccount,
  type RunningApi,
  signIn,
  startApi,
} from '../support/api.js';
import { type RedisTopology, redisServiceEnv, startStandalone } from '../support/redis.js';

/*
 * Login throttling under concurrency and the cap on sessions per user, over HTTP, on each
 * backend. Every request comes from 127.0.0.1, so the tests that are not about the address
 * limit raise it out of the way; each server gets a key prefix of its own on the shared
 * redis-server, so no test sees another's address window.
 */
const ACCOUNT_LIMIT = 5;
const PARALLEL_GUESSES = 40;
const SESSION_CAP = 2;

/** Counts the user lookups, which only an attempt that passed the throttle makes. */
function countingLookups(counter: { lookups: number }) {
  return (storage: Storage): Storage => {
    const users = storage.users;
    return {
      backend: storage.backend,
      users: {
        create: (user) => users.create(user),
        findById: (id) => users.findById(id),
        findByEmail: (email) => {
          counter.lookups += 1;
          return users.findByEmail(email);
        },
      },
      sessions: storage.sessions,
      revocations: storage.revocations,
      loginAttempts: storage.loginAttempts,
      isReady: () => storage.isReady(),
      close: () => storage.close(),
    };
  };
}

function logIn(api: RunningApi, account: Account): Promise<Response> {
  return api.request('/v1/sessions', { method: 'POST', json: account });
}

describe.each(['memory', 'redis'] as const)('with the %s backend', (backend) => {
  let redis: RedisTopology | undefined;
  const servers: RunningApi[] = [];

  async function start(prefix: string, env: Record<string, string>, counter = { lookups: 0 }) {
    const storageEnv =
      redis === undefined ? {} : { ...redisServiceEnv(redis.url), REDIS_KEY_PREFIX: prefix };
    const api = await startApi({ ...storageEnv, ...env }, countingLookups(counter));
    servers.push(api);
    return api;
  }

  beforeAll(async () => {
    if (backend === 'redis') redis = await startStandalone();
  });
  afterAll(async () => {
    for (const api of servers) await api.close();
    await redis?.stop();
  });

  it(`checks at most ${ACCOUNT_LIMIT} of ${PARALLEL_GUESSES} parallel wrong passwords`, async () => {
    const counter = { lookups: 0 };
    const api = await start(
      'burst:',
      {
        LOGIN_MAX_FAILURES_PER_ACCOUNT: String(ACCOUNT_LIMIT),
        LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
      },
      counter,
    );
    const account = newAccount();
    await signIn(api, account);
    counter.lookups = 0;

    const responses = await Promise.all(
      Array.from({ length: PARALLEL_GUESSES }, (_, index) =>
        logIn(api, { ...account, password: `wrong-guess-${index}` }),
      ),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(ACCOUNT_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(
      PARALLEL_GUESSES - ACCOUNT_LIMIT,
    );
    expect(counter.lookups).toBe(ACCOUNT_LIMIT);
    const withRightPassword = await logIn(api, account);
    expect(withRightPassword.status).toBe(429);
  });

  it('lets good logins from one address through past the address limit', async () => {
    const api = await start('address:', { LOGIN_MAX_FAILURES_PER_ADDRESS: '2' });
    const [first, second, third, fourth] = [newAccount(), newAccount(), newAccount(), newAccount()];
    const accounts = [first, second, third, fourth];
    for (const account of accounts) {
      const created = await api.request('/v1/users', { method: 'POST', json: account });
      expect(created.status).toBe(201);
    }

    for (const account of accounts) expect((await logIn(api, account)).status).toBe(201);
    for (const account of [first, second]) {
      const wrong = await logIn(api, { ...account, password: 'not-the-password' });
      expect(wrong.status).toBe(401);
    }
    const pastTheLimit = await logIn(api, third);

    expect(pastTheLimit.status).toBe(429);
    expect(await errorCodeOf(pastTheLimit)).toBe('AUTH_RATE_LIMITED');
  });

  it(`ends the least recently used session past ${SESSION_CAP} and revokes its tokens`, async () => {
    const api = await start('cap:', { SESSION_MAX_PER_USER: String(SESSION_CAP) });
    const account = newAccount();
    const first = await signIn(api, account);
    const second = await signIn(api, account, false);

    const third = await signIn(api, account, false);

    const me = await api.request('/v1/me', { token: first.accessToken });
    expect(me.status).toBe(401);
    expect(await errorCodeOf(me)).toBe('AUTH_TOKEN_REVOKED');
    const refresh = await api.request('/v1/sessions/refresh', {
      method: 'POST',
      json: { refreshToken: first.refreshToken },
    });
    expect(await errorCodeOf(refresh)).toBe('AUTH_REFRESH_INVALID');
    const listed = await api.request('/v1/sessions', { token: third.accessToken });
    const { sessions } = (await listed.json()) as { sessions: { id: string }[] };
    expect(sessions.map((session) => session.id)).toEqual([second.sessionId, third.sessionId]);
  });
});
