import { SessionNotFound } from '../domain/errors.js';
import type { VerifiedAccessToken } from './access-tokens.js';
import type { AuthContext } from './auth-context.js';
import { accessTokenHorizon } from './issued-tokens.js';

/** Ends one of the caller's sessions; `SessionNotFound` when no live one of theirs has the id. */
export async function revokeSession(
  context: AuthContext,
  caller: VerifiedAccessToken,
  sessionId: string,
): Promise<void> {
  const now = context.clock();
  const session = await context.storage.sessions.findLive(sessionId, now);
  if (session === null || session.userId !== caller.sub) throw new SessionNotFound();

  await revokeSessionOf(context, caller.sub, sessionId, now);
}

/**
 * Revocation first, then the delete: if the process dies in between, the session's tokens
 * are already refused, and its refresh token ends with the session's own expiry.
 */
export async function revokeSessionOf(
  context: AuthContext,
  userId: string,
  sessionId: string,
  now: number,
): Promise<void> {
  const until = accessTokenHorizon(context, now);
  await context.storage.revocations.revoke([{ kind: 'session', sessionId, until }]);
  await context.storage.sessions.delete(userId, sessionId);
}
