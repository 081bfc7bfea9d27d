/** The claims of an access token that a revocation check looks at. Times in epoch seconds, as in JWT. */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/**
 * One revocation. `until` (epoch ms) is when the last token it could name expires: the
 * entry must be kept at least that long, and may be dropped after it.
 */
export type Revocation =
  | { readonly kind: 'token'; readonly jti: string; readonly until: number }
  | { readonly kind: 'session'; readonly sessionId: string; readonly until: number }
  | {
      readonly kind: 'user';
      readonly userId: string;
      /** Tokens of this user issued before this moment (epoch ms) are revoked. */
      readonly revokedBefore: number;
      readonly until: number;
    };

/**
 * The answer of the in-process revocation view. `unknown` means the view cannot vouch for
 * the token (it is staler than its bound, or never loaded): callers fail closed on it.
 */
export type RevocationCheck =
  | { readonly status: 'valid' }
  | { readonly status: 'revoked'; readonly by: Revocation['kind'] }
  | { readonly status: 'unknown' };

/** Whether `revocation` names the token at `now` (an entry is honoured until its `until`). */
export function revocationApplies(
  revocation: Revocation,
  claims: AccessTokenClaims,
  now: number,
): boolean {
  if (now >= revocation.until) return false;
  switch (revocation.kind) {
    case 'token':
      return revocation.jti === claims.jti;
    case 'session':
      return revocation.sessionId === claims.sid;
    case 'user':
      // `iat` has whole seconds: a token issued in the second of the revocation counts as
      // issued before it only when that whole second is before `revokedBefore`.
      return revocation.userId === claims.sub && claims.iat * 1000 < revocation.revokedBefore;
  }
}
