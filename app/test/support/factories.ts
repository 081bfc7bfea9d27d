import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RefreshTokenRecord } from '../../src/domain/refresh-token.js';
import type { Session } from '../../src/domain/session.js';
import type { User } from '../../src/domain/user.js';

/*
 * Test data with unique ids, so suites can share one store without colliding. Times are
 * based on a caller's `now` (epoch ms) so no test depends on the wall clock moving.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

export function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    email: `user-${randomId().toLowerCase()}@example.test`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$not-a-real-salt$not-a-real-hash',
    createdAt: Date.now(),
    ...overrides,
  };
}

export function makeSession(
  userId: string,
  now: number,
  overrides: Partial<Session> = {},
): Session {
  return {
    id: randomId(),
    userId,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + HOUR,
    absoluteExpiresAt: now + 24 * HOUR,
    userAgent: 'vitest',
    ...overrides,
  };
}

/** A refresh token of `session`; `token` is the secret a client would hold. */
export function makeRefreshToken(
  session: Session,
  now: number,
  overrides: Partial<RefreshTokenRecord> = {},
): { token: string; record: RefreshTokenRecord } {
  const token = randomBytes(32).toString('base64url');
  return {
    token,
    record: {
      tokenHash: hashOf(token),
      sessionId: session.id,
      userId: session.userId,
      issuedAt: now,
      expiresAt: Math.min(now + 2 * HOUR, session.absoluteExpiresAt),
      ...overrides,
    },
  };
}

/** A successor for a rotation request, issued at `now`. */
export function makeSuccessor(now: number, lifetimeMs = 2 * HOUR) {
  const token = randomBytes(32).toString('base64url');
  return {
    token,
    successor: { tokenHash: hashOf(token), issuedAt: now, expiresAt: now + lifetimeMs },
  };
}
