import type { Session } from '../domain/session.js';
import type { AuthContext } from './auth-context.js';
import { clientRefreshToken } from './secrets.js';

/** The answer of a login or a refresh: the pair of tokens a client holds. */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: number;
  readonly session: Session;
}

/** Signs the access token and hands out `refresh.token` (the stored secret) with its owner. */
export async function issueTokens(
  context: AuthContext,
  subject: { userId: string; email: string },
  session: Session,
  refresh: { token: string; expiresAt: number },
  now: number,
): Promise<IssuedTokens> {
  const access = await context.accessTokens.issue({ ...subject, sessionId: session.id }, now);
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.claims.exp * 1000,
    refreshToken: clientRefreshToken(subject.userId, refresh.token),
    refreshTokenExpiresAt: Math.min(refresh.expiresAt, session.absoluteExpiresAt),
    session,
  };
}

/**
 * The revocation `until` for a session or a user decided at `now`: no access token that can
 * still be issued for them (by a racing refresh, on any instance) lives longer. Every revoking
 * use case takes its `until` from here.
 */
export function accessTokenHorizon(context: AuthContext, now: number): number {
  return now + context.policy.revocationHorizonMs;
}
