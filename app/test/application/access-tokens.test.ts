import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/application/access-tokens.js';
import {
  AccessTokenExpired,
  AccessTokenInvalid,
  AccessTokenMalformed,
} from '../../src/domain/errors.js';

const current = { kid: 'current', secret: randomBytes(32) };
const previous = { kid: 'previous', secret: randomBytes(32) };
const settings = { issuer: 'auth-test', audience: 'auth-test-clients', ttlSeconds: 900 };
const subject = { userId: 'user-1', email: 'ada@example.test', sessionId: 'session-1' };
const now = Date.UTC(2026, 11, 3, 12, 0, 0);
const nowSeconds = now / 1000;

const tokens = new AccessTokens({ ...settings, keys: [current, previous] });

/** A token with every claim we issue, signed by jose, with overrides for one test. */
function forged(overrides: Record<string, unknown>, header = {}, secret = current.secret) {
  const claims = {
    sub: subject.userId,
    sid: subject.sessionId,
    jti: 'jti-1',
    email: subject.email,
    iat: nowSeconds,
    exp: nowSeconds + 900,
    iss: settings.issuer,
    aud: settings.audience,
    ...overrides,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: current.kid, ...header })
    .sign(secret);
}

describe('AccessTokens', () => {
  it('verifies what it issues, with every claim intact', async () => {
    const { token, claims } = await tokens.issue(subject, now);

    expect(await tokens.verify(token, now)).toEqual(claims);
    expect(claims).toMatchObject({ sub: 'user-1', sid: 'session-1', exp: nowSeconds + 900 });
  });

  it('accepts a token until the second before its exp, and refuses it from then on', async () => {
    const { token } = await tokens.issue(subject, now);

    await expect(tokens.verify(token, now + 899_999)).resolves.toBeDefined();
    await expect(tokens.verify(token, now + 900_000)).rejects.toBeInstanceOf(AccessTokenExpired);
  });

  it('still accepts tokens of a key that was rotated out of signing', async () => {
    const older = new AccessTokens({ ...settings, keys: [previous] });
    const { token } = await older.issue(subject, now);

    await expect(tokens.verify(token, now)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refuses a token of another issuer or audience', async () => {
    for (const overrides of [{ iss: 'someone-else' }, { aud: 'another-service' }]) {
      await expect(tokens.verify(await forged(overrides), now)).rejects.toBeInstanceOf(
        AccessTokenInvalid,
      );
    }
  });

  it('refuses a token without a session id', async () => {
    const token = await forged({ sid: undefined });
    await expect(tokens.verify(token, now)).rejects.toBeInstanceOf(AccessTokenInvalid);
  });

  it('refuses HS512 with the right key, and an unknown or missing kid', async () => {
    const attempts = [
      await forged({}, { alg: 'HS512' }),
      await forged({}, { kid: 'unknown' }),
      await forged({}, { kid: undefined }),
    ];
    for (const token of attempts) {
      await expect(tokens.verify(token, now)).rejects.toBeInstanceOf(AccessTokenInvalid);
    }
  });

  it('refuses a changed payload and an unsigned (alg none) token', async () => {
    const { token } = await tokens.issue(subject, now);
    const [header, , signature] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...subject, sub: 'user-2' })).toString(
      'base64url',
    );
    const none = `${Buffer.from('{"alg":"none","kid":"current"}').toString('base64url')}.${otherPayload}.`;

    await expect(
      tokens.verify(`${header}.${otherPayload}.${signature}`, now),
    ).rejects.toBeInstanceOf(AccessTokenInvalid);
    const refusal = await tokens.verify(none, now).catch((error: unknown) => error);
    expect([AccessTokenInvalid, AccessTokenMalformed]).toContain((refusal as object).constructor);
  });

  it('calls unreadable input malformed', async () => {
    for (const token of ['abc', 'a.b.c', `${'x'.repeat(20)}.${'y'.repeat(20)}`]) {
      await expect(tokens.verify(token, now)).rejects.toBeInstanceOf(AccessTokenMalformed);
    }
  });
});
