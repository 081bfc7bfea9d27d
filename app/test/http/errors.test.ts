import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/domain/ports.js';
import {
  errorCodeOf,
  newAccount,
  type RunningApi,
  signIn,
  startApi,
  TEST_KEY,
} from '../support/api.js';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', BODY_LIMIT_BYTES: '2048' });
});
afterAll(async () => {
  await api.close();
});

async function expectError(response: Response, status: number, code: string) {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(JSON.parse(text)).toEqual({ error: { code, message: expect.any(String) } });
  expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
}

function post(path: string, body: string, contentType = 'application/json') {
  return fetch(`${api.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
}

describe('account and login errors', () => {
  it('refuses a second registration of the same email in another case', async () => {
    const account = newAccount();
    await signIn(api, account);

    const again = { ...account, email: account.email.toUpperCase() };
    await expectError(
      await api.request('/v1/users', { method: 'POST', json: again }),
      409,
      'AUTH_EMAIL_TAKEN',
    );
  });

  it('answers a wrong password and an unknown email alike, then throttles the account', async () => {
    const account = newAccount();
    await signIn(api, account);
    const wrong = { ...account, password: 'not-the-password' };
    const unknown = { ...newAccount() };

    for (const body of [unknown, wrong, wrong, wrong]) {
      const response = await api.request('/v1/sessions', { method: 'POST', json: body });
      await expectError(response, 401, 'AUTH_INVALID_CREDENTIALS');
    }
    const throttled = await api.request('/v1/sessions', { method: 'POST', json: account });

    await expectError(throttled, 429, 'AUTH_RATE_LIMITED');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    api.advance(15 * 60_000);
    const later = await api.request('/v1/sessions', { method: 'POST', json: account });
    expect(later.status).toBe(201);
  });

  it('refuses an unknown refresh token', async () => {
    const response = await api.request('/v1/sessions/refresh', {
      method: 'POST',
      json: { refreshToken: randomBytes(32).toString('base64url') },
    });
    await expectError(response, 401, 'AUTH_REFRESH_INVALID');
  });
});

describe('access token errors', () => {
  it('refuses a request without a token, with WWW-Authenticate', async () => {
    const response = await api.request('/v1/me');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    await expectError(response, 401, 'AUTH_TOKEN_MISSING');
  });

  it('refuses other schemes, truncated tokens and absurd lengths as malformed', async () => {
    const { accessToken } = await signIn(api, newAccount());
    const headers = [
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Bearer ${accessToken.split('.').slice(0, 2).join('.')}`,
      `Bearer ${accessToken.slice(0, 20)}`,
      `Bearer ${'a'.repeat(5000)}`,
      'Bearer not a token',
    ];
    for (const authorization of headers) {
      const response = await api.request('/v1/me', { headers: { authorization } });
      await expectError(response, 401, 'AUTH_TOKEN_MALFORMED');
    }
  });

  it('refuses tokens signed with another key, an unknown kid, or alg none', async () => {
    const { accessToken } = await signIn(api, newAccount());
    const [, payload] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
      string,
      string | number
    >;
    const otherKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: TEST_KEY.kid })
      .sign(randomBytes(32));
    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'someone-else' })
      .sign(TEST_KEY.secret);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const truncatedSignature = accessToken.slice(0, -4);

    for (const token of [otherKey, unknownKid, none, truncatedSignature]) {
      const response = await api.request('/v1/me', { token });
      expect(['AUTH_TOKEN_INVALID', 'AUTH_TOKEN_MALFORMED']).toContain(await errorCodeOf(response));
      expect(response.status).toBe(401);
    }
    await expectError(await api.request('/v1/me', { token: otherKey }), 401, 'AUTH_TOKEN_INVALID');
  });

  it('refuses an expired token', async () => {
    const { accessToken } = await signIn(api, newAccount());
    api.advance(901_000);

    await expectError(
      await api.request('/v1/me', { token: accessToken }),
      401,
      'AUTH_TOKEN_EXPIRED',
    );
  });
});

describe('bad requests', () => {
  it('refuses wrong types, missing, unknown and absurdly long fields', async () => {
    const bodies = [
      { email: 42, password: 'long-enough-password' },
      { email: 'a@b.test' },
      { email: 'a@b.test', password: 'long-enough-password', admin: true },
      { email: `${'a'.repeat(300)}@b.test`, password: 'long-enough-password' },
      { email: 'a@b.test', password: 'short' },
      [],
      'text',
    ];
    for (const json of bodies) {
      await expectError(
        await api.request('/v1/users', { method: 'POST', json }),
        400,
        'REQUEST_INVALID',
      );
    }
  });

  it('refuses malformed JSON, invalid UTF-8 and an empty body', async () => {
    await expectError(await post('/v1/users', '{"email":'), 400, 'REQUEST_MALFORMED_JSON');
    await expectError(await post('/v1/users', ''), 400, 'REQUEST_MALFORMED_JSON');
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"email":"a@b.test","password":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('long-password"}'),
    ]);
    const response = await fetch(`${api.baseUrl}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: invalidUtf8,
    });
    await expectError(response, 400, 'REQUEST_MALFORMED_JSON');
  });

  it('refuses an oversize body with 413 and another media type with 415', async () => {
    const huge = JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(4096) });
    await expectError(await post('/v1/users', huge), 413, 'REQUEST_BODY_TOO_LARGE');
    await expectError(
      await post('/v1/users', 'email=a@b.test', 'application/x-www-form-urlencoded'),
      415,
      'REQUEST_UNSUPPORTED_MEDIA_TYPE',
    );
    await expectError(
      await post('/v1/users', '{}', 'text/plain'),
      415,
      'REQUEST_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('answers NOT_FOUND for an unknown route and for another user’s session', async () => {
    await expectError(await api.request('/v1/nothing-here'), 404, 'NOT_FOUND');
    const mine = await signIn(api, newAccount());
    const theirs = await signIn(api, newAccount());

    const response = await api.request(`/v1/sessions/${theirs.sessionId}`, {
      method: 'DELETE',
      token: mine.accessToken,
    });
    await expectError(response, 404, 'AUTH_SESSION_NOT_FOUND');
    const bad = await api.request('/v1/sessions/not%20an%20id', {
      method: 'DELETE',
      token: mine.accessToken,
    });
    await expectError(bad, 400, 'REQUEST_INVALID');
  });

  it('answers a badly encoded URL from the catalogue without echoing the path', async () => {
    const path = '/v1/sessions/%E0%A4%A';
    const response = await fetch(`${api.baseUrl}${path}`, { method: 'DELETE' });
    const text = await response.text();

    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toEqual({
      error: { code: 'REQUEST_INVALID', message: expect.any(String) },
    });
    expect(text).not.toContain('%E0');
    expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
  });

  it('never logs a password or token', async () => {
    const account = newAccount();
    const tokens = await signIn(api, account);
    await api.request('/v1/me', { token: tokens.accessToken });

    const text = api.logs.join('');
    for (const secret of [account.password, tokens.accessToken, tokens.refreshToken]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('store faults', () => {
  it('answers 500 INTERNAL without a stack for an unexpected fault, logged at error', async () => {
    const faulty = await startApi({}, (storage) => breakUsers(storage));
    try {
      const response = await faulty.request('/v1/sessions', { method: 'POST', json: newAccount() });
      await expectError(response, 500, 'INTERNAL');
      expect(faulty.logs.some((line) => JSON.parse(line).level === 50)).toBe(true);
    } finally {
      await faulty.close();
    }
  });

  it('fails closed with a retryable 503 when the revocation view cannot vouch', async () => {
    const stale = await startApi({}, (storage) => staleRevocations(storage));
    try {
      const { accessToken } = await signIn(stale, newAccount());
      const response = await stale.request('/v1/me', { token: accessToken });
      expect(response.headers.get('retry-after')).toBe('1');
      await expectError(response, 503, 'AUTH_STORE_UNAVAILABLE');
    } finally {
      await stale.close();
    }
  });
});

function breakUsers(storage: Storage): Storage {
  const users = {
    ...storage.users,
    create: storage.users.create.bind(storage.users),
    findById: storage.users.findById.bind(storage.users),
    findByEmail: async () => {
      throw new Error('disk on fire at /secret/path');
    },
  };
  return { ...bindStorage(storage), users };
}

function staleRevocations(storage: Storage): Storage {
  const revocations = {
    revoke: storage.revocations.revoke.bind(storage.revocations),
    check: () => ({ status: 'unknown' }) as const,
  };
  return { ...bindStorage(storage), revocations };
}

function bindStorage(storage: Storage): Storage {
  return {
    backend: storage.backend,
    users: storage.users,
    sessions: storage.sessions,
    revocations: storage.revocations,
    loginAttempts: storage.loginAttempts,
    isReady: () => storage.isReady(),
    close: () => storage.close(),
  };
}
