import type { Session } from '../domain/session.js';
import type { VerifiedAccessToken } from './access-tokens.js';
import type { AuthContext } from './auth-context.js';

/** The caller's live sessions, oldest first. */
export function listSessions(
  context: AuthContext,
  caller: VerifiedAccessToken,
): Promise<Session[]> {
  return context.storage.sessions.listLive(caller.sub, context.clock());
}
