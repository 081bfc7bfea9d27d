import { InvalidCredentials, LoginRateLimited } from '../domain/errors.js';
import type { Session } from '../domain/session.js';
import { normaliseEmail } from '../domain/user.js';
import type { AuthContext } from './auth-context.js';
import { type IssuedTokens, issueTokens } from './issued-tokens.js';
import { retryAfterSeconds, throttleKeys } from './login-throttle.js';
import { revokeSessionOf } from './revoke-session.js';
import { hashRefreshToken, newIdentifier, newRefreshToken } from './secrets.js';

export interface LogInInput {
  readonly email: string;
  readonly password: string;
  readonly clientAddress: string;
  readonly userAgent: string | null;
}

/**
 * Checks the password and opens a session. The attempt is counted before the password is
 * checked, so concurrent guesses cannot slip past the limit while argon2 runs; a refused or
 * failed attempt stays counted. Every failure looks the same from outside: an unknown email
 * still runs one argon2 verification and counts like a wrong password.
 */
export async function logIn(context: AuthContext, input: LogInInput): Promise<IssuedTokens> {
  const { storage, policy } = context;
  const now = context.clock();
  const email = normaliseEmail(input.email);
  const [accountKey, addressKey] = throttleKeys(email, input.clientAddress);

  const windows = await storage.loginAttempts.reserve(
    [accountKey, addressKey],
    policy.failureWindowMs,
    now,
  );
  const waitSeconds = retryAfterSeconds(windows, policy, now);
  if (waitSeconds !== null) throw new LoginRateLimited(waitSeconds);

  const user = await storage.users.findByEmail(email);
  const passwordMatches = await context.passwords.verify(
    user?.passwordHash ?? null,
    input.password,
  );
  if (user === null || !passwordMatches) throw new InvalidCredentials();

  // The owner proved the password: their account starts afresh, and the address gets this
  // attempt back so that many good logins behind one NAT never add up to a block.
  await Promise.all([
    storage.loginAttempts.reset(accountKey),
    storage.loginAttempts.release(addressKey, now),
  ]);

  const session: Session = {
    id: newIdentifier(),
    userId: user.id,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + Math.min(policy.sessionIdleTimeoutMs, policy.sessionAbsoluteTimeoutMs),
    absoluteExpiresAt: now + policy.sessionAbsoluteTimeoutMs,
    userAgent: input.userAgent,
  };
  const refreshToken = newRefreshToken();
  const refreshExpiresAt = Math.min(now + policy.refreshTokenTtlMs, session.absoluteExpiresAt);
  const endedSessionIds = await storage.sessions.create(
    session,
    {
      tokenHash: hashRefreshToken(refreshToken),
      sessionId: session.id,
      userId: user.id,
      issuedAt: now,
      expiresAt: refreshExpiresAt,
    },
    policy.maxSessionsPerUser,
  );
  // Past the cap the store ended the least recently used sessions in the same step as the
  // create, so no burst of logins overshoots it; their access tokens are revoked here as a
  // logout revokes them. Their refresh tokens are already gone, so none can be renewed.
  for (const sessionId of endedSessionIds) await revokeSessionOf(context, user.id, sessionId, now);

  return issueTokens(
    context,
    { userId: user.id, email: user.email },
    session,
    { token: refreshToken, expiresAt: refreshExpiresAt },
    now,
  );
}
