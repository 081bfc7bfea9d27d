import type { Revocation } from '../domain/revocation.js';
import type { VerifiedAccessToken } from './access-tokens.js';
import type { AuthContext } from './auth-context.js';
import { accessTokenHorizon } from './issued-tokens.js';

/**
 * Ends every session of the caller. Each listed session is revoked by id, and a user-wide
 * entry refuses tokens issued in earlier seconds (a JWT's `iat` has whole seconds; starting
 * at the current second keeps a login right after this call working). A session created
 * between the list and the delete is revoked by id afterwards.
 */
export async function revokeAllSessions(
  context: AuthContext,
  caller: VerifiedAccessToken,
): Promise<number> {
  const { storage } = context;
  const now = context.clock();
  const until = accessTokenHorizon(context, now);
  const listed = await storage.sessions.listLive(caller.sub, now);
  const sessionRevocation = (sessionId: string): Revocation => ({
    kind: 'session',
    sessionId,
    until,
  });

  await storage.revocations.revoke([
    { kind: 'user', userId: caller.sub, revokedBefore: Math.floor(now / 1000) * 1000, until },
    ...listed.map((session) => sessionRevocation(session.id)),
  ]);
  const deleted = await storage.sessions.deleteAllForUser(caller.sub);

  const listedIds = new Set(listed.map((session) => session.id));
  const latecomers = deleted.filter((id) => !listedIds.has(id));
  if (latecomers.length > 0) await storage.revocations.revoke(latecomers.map(sessionRevocation));
  return deleted.length;
}
