import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/domain/errors.js';
import type { Storage } from '../../src/domain/ports.js';
import { errorCodeOf, newAccount, type RunningApi, signIn, startApi } from '../support/api.js';

let api: RunningApi;
const userLookup = { failing: false };
beforeAll(async () => {
  api = await startApi({}, (storage) => withFlakyUserLookup(storage, userLookup));
});
afterAll(async () => {
  await api.close();
});

function refresh(refreshToken: string): Promise<Response> {
  return api.request('/v1/sessions/refresh', { method: 'POST', json: { refreshToken } });
}

describe('refresh', () => {
  it('leaves the token unspent when the user cannot be loaded, so a retry succeeds', async () => {
    const account = newAccount();
    const tokens = await signIn(api, account);

    userLookup.failing = true;
    const failed = await refresh(tokens.refreshToken).finally(() => {
      userLookup.failing = false;
    });
    expect(failed.status).toBe(503);
    expect(await errorCodeOf(failed)).toBe('AUTH_STORE_UNAVAILABLE');

    const retried = await refresh(tokens.refreshToken);
    expect(retried.status).toBe(200);
    const next = (await retried.json()) as { accessToken: string; sessionId: string };
    expect(next.sessionId).toBe(tokens.sessionId);
    const me = await api.request('/v1/me', { token: next.accessToken });
    expect(await me.json()).toMatchObject({ email: account.email });
  });

  it('refuses a token whose owner part was edited or left out', async () => {
    const mine = await signIn(api, newAccount());
    const theirs = await signIn(api, newAccount());
    const [theirOwner] = theirs.refreshToken.split('.');
    const [, mySecret] = mine.refreshToken.split('.');

    const forged = await refresh(`${theirOwner}.${mySecret}`);
    expect(await errorCodeOf(forged)).toBe('AUTH_REFRESH_INVALID');
    const unknownOwner = await refresh(`bm9ib2R5.${mySecret}`);
    expect(await errorCodeOf(unknownOwner)).toBe('AUTH_REFRESH_INVALID');
    const secretAlone = await refresh(mySecret ?? '');
    expect(await errorCodeOf(secretAlone)).toBe('AUTH_REFRESH_INVALID');
  });

  it('spends nothing for a token without an owner part', async () => {
    const tokens = await signIn(api, newAccount());
    const [, secret] = tokens.refreshToken.split('.');

    expect(await errorCodeOf(await refresh(secret ?? ''))).toBe('AUTH_REFRESH_INVALID');
    expect((await refresh(tokens.refreshToken)).status).toBe(200);
  });
});

/** The storage, with `users.findById` failing as a store fault while `state.failing`. */
function withFlakyUserLookup(storage: Storage, state: { failing: boolean }): Storage {
  const users = {
    create: storage.users.create.bind(storage.users),
    findByEmail: storage.users.findByEmail.bind(storage.users),
    findById: async (id: string) => {
      if (state.failing) throw new StoreUnavailable('user lookup failed (test)');
      return storage.users.findById(id);
    },
  };
  return {
    backend: storage.backend,
    users,
    sessions: storage.sessions,
    revocations: storage.revocations,
    loginAttempts: storage.loginAttempts,
    isReady: () => storage.isReady(),
    close: () => storage.close(),
  };
}
