import type { Session } from './session.js';

/**
 * What the store keeps of a refresh token: only a hash of it (the token itself is a
 * high-entropy random string, so a fast hash such as SHA-256 is enough). A token is single
 * use: refreshing spends it and stores its successor.
 */
export interface RefreshTokenRecord {
  readonly tokenHash: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface RotationRequest {
  readonly presentedTokenHash: string;
  /** The token that replaces the presented one; same session and user. */
  readonly successor: Pick<RefreshTokenRecord, 'tokenHash' | 'issuedAt' | 'expiresAt'>;
  readonly now: number;
  /** The session's idle expiry slides to `now + idleTimeoutMs`, capped by its absolute expiry. */
  readonly idleTimeoutMs: number;
  /** A spent token presented again within this many ms of being spent is not treated as reuse. */
  readonly reuseGraceMs: number;
}

/**
 * What one atomic rotation step found. Only `rotated` changes anything: on `reused` the
 * caller revokes the session (revocation first, so a crash in between leaves nothing
 * half-done), as RFC 9700 section 4.14.2 asks.
 */
export type RotationOutcome =
  | { readonly kind: 'rotated'; readonly session: Session }
  | { readonly kind: 'reused'; readonly sessionId: string; readonly userId: string }
  | { readonly kind: 'spent-within-grace'; readonly sessionId: string; readonly userId: string }
  | { readonly kind: 'session-ended'; readonly sessionId: string; readonly userId: string }
  | { readonly kind: 'unknown' };

/**
 * What presenting a known token at `now` means, before any change. `spentAt` is null for
 * a token not yet used. A spent token counts as reuse unless it was spent less than
 * `reuseGraceMs` ago (two tabs refreshing at once); reuse is checked before the session's
 * end, so a replayed token is always reported.
 */
export function classifyPresentedToken(
  token: RefreshTokenRecord,
  spentAt: number | null,
  session: Session | null,
  request: Pick<RotationRequest, 'now' | 'reuseGraceMs'>,
): RotationOutcome['kind'] {
  if (spentAt !== null) {
    return request.now - spentAt < request.reuseGraceMs ? 'spent-within-grace' : 'reused';
  }
  if (token.expiresAt <= request.now) return 'unknown';
  if (
    session === null ||
    request.now >= Math.min(session.idleExpiresAt, session.absoluteExpiresAt)
  ) {
    return 'session-ended';
  }
  return 'rotated';
}
