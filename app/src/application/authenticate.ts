import {
  AccessTokenMalformed,
  AccessTokenMissing,
  AccessTokenRevoked,
  StoreUnavailable,
} from '../domain/errors.js';
import type { VerifiedAccessToken } from './access-tokens.js';
import type { AuthContext } from './auth-context.js';

/** Longer than any token we issue by far; anything longer is refused before parsing. */
const MAX_TOKEN_LENGTH = 4096;
const BEARER = /^Bearer ([A-Za-z0-9_\-.=]+)$/;

/**
 * The hot path: signature, expiry, then the in-process revocation view. No storage round
 * trip. A view that cannot vouch for the token fails closed with `StoreUnavailable`.
 */
export async function authenticate(
  context: AuthContext,
  authorization: string | undefined,
): Promise<VerifiedAccessToken> {
  if (authorization === undefined || authorization === '') throw new AccessTokenMissing();
  if (authorization.length > MAX_TOKEN_LENGTH) throw new AccessTokenMalformed();
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined) throw new AccessTokenMalformed();

  const now = context.clock();
  const claims = await context.accessTokens.verify(token, now);

  const check = context.storage.revocations.check(claims, now);
  if (check.status === 'unknown') throw new StoreUnavailable('revocation view is not current');
  if (check.status === 'revoked') throw new AccessTokenRevoked();
  return claims;
}
