import { InvalidCredentials, LoginRateLimited } from '../domain/errors.js';
import type { Session } from '../domain/session.js';
import { normaliseEmail } from '../domain/user.js';
import type { AuthContext } from './auth-context.js';
import { type IssuedTokens, issueTokens } from './issued-tokens.js';
import { retryAfterSeconds, throttleKeys } from './login-throttle.js';
import { hashRefreshToken, newIdentifier, newRefreshToken } from './secrets.js';

export interface LogInInput {
  readonly email: string;
  readonly password: string;
  readonly clientAddress: string;
  readonly userAgent: string | null;
}

/**
 * Checks the password and opens a session. Every failure looks the same from outside: an
 * unknown email still runs one argon2 verification, and both cases count a failure.
 */
export async function logIn(context: AuthContext, input: LogInInput): Promise<IssuedTokens> {
  const { storage, policy } = context;
  const now = context.clock();
  const email = normaliseEmail(input.email);
  const keys = throttleKeys(email, input.clientAddress);

  const waitSeconds = retryAfterSeconds(await storage.loginAttempts.read(keys, now), policy, now);
  if (waitSeconds !== null) throw new LoginRateLimited(waitSeconds);

  const user = await storage.users.findByEmail(email);
  const passwordMatches = await context.passwords.verify(
    user?.passwordHash ?? null,
    input.password,
  );
  if (user === null || !passwordMatches) {
    await storage.loginAttempts.recordFailure(keys, policy.failureWindowMs, now);
    throw new InvalidCredentials();
  }
  await storage.loginAttempts.reset(keys[0]);

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
  await storage.sessions.create(session, {
    tokenHash: hashRefreshToken(refreshToken),
    sessionId: session.id,
    userId: user.id,
    issuedAt: now,
    expiresAt: refreshExpiresAt,
  });

  return issueTokens(
    context,
    { userId: user.id, email: user.email },
    session,
    { token: refreshToken, expiresAt: refreshExpiresAt },
    now,
  );
}
