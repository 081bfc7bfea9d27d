import {
  RefreshTokenAlreadyRotated,
  RefreshTokenInvalid,
  RefreshTokenReused,
} from '../domain/errors.js';
import type { AuthContext } from './auth-context.js';
import { accessTokenHorizon, type IssuedTokens, issueTokens } from './issued-tokens.js';
import { hashRefreshToken, newRefreshToken, parseRefreshToken } from './secrets.js';

/**
 * Spends a refresh token for a new pair. A spent token presented again means it leaked:
 * the whole session is revoked (revocation first, then the session is deleted), RFC 9700.
 * What the answer needs (the user) is loaded before the rotation: once the old token is
 * spent, a failure would leave the client holding only a token whose retry looks like reuse.
 */
export async function refreshSession(
  context: AuthContext,
  presentedToken: string,
): Promise<IssuedTokens> {
  const { storage, policy } = context;
  const now = context.clock();
  const presented = parseRefreshToken(presentedToken);
  if (presented === null) throw new RefreshTokenInvalid();
  const owner = await storage.users.findById(presented.ownerId);
  if (owner === null) throw new RefreshTokenInvalid();

  const successorToken = newRefreshToken();
  const successor = {
    tokenHash: hashRefreshToken(successorToken),
    issuedAt: now,
    expiresAt: now + policy.refreshTokenTtlMs,
  };
  const outcome = await storage.sessions.rotateRefreshToken({
    presentedTokenHash: hashRefreshToken(presented.secret),
    successor,
    now,
    idleTimeoutMs: policy.sessionIdleTimeoutMs,
    reuseGraceMs: policy.refreshReuseGraceMs,
  });

  switch (outcome.kind) {
    case 'reused': {
      const until = accessTokenHorizon(context, now);
      await storage.revocations.revoke([{ kind: 'session', sessionId: outcome.sessionId, until }]);
      await storage.sessions.delete(outcome.userId, outcome.sessionId);
      throw new RefreshTokenReused();
    }
    case 'spent-within-grace':
      throw new RefreshTokenAlreadyRotated();
    case 'session-ended':
    case 'unknown':
      throw new RefreshTokenInvalid();
    case 'rotated':
      break;
  }

  // A hint naming someone else was edited by the token's holder: answer nothing about them.
  if (owner.id !== outcome.session.userId) throw new RefreshTokenInvalid();
  return issueTokens(
    context,
    { userId: owner.id, email: owner.email },
    outcome.session,
    { token: successorToken, expiresAt: successor.expiresAt },
    now,
  );
}
