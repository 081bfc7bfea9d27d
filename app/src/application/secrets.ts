import { createHash, randomBytes } from 'node:crypto';

/** 128 bits from the CSPRNG, base64url: session ids and access-token ids. */
export function newIdentifier(): string {
  return randomBytes(16).toString('base64url');
}

/** 256 bits from the CSPRNG, base64url: the refresh token a client holds. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps of a refresh token. SHA-256 suffices: the token has 256 bits of entropy. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/**
 * The refresh token as the client holds it: `<owner>.<secret>`, the owner being the user id
 * in base64url. The store keeps only the hash of the secret; the owner lets a refresh load
 * the user before the token is spent, so nothing can fail after the rotation is durable. The
 * owner is a hint, not a credential: a rotation answers for the secret alone, and a refresh
 * whose hint disagrees with the rotated session is refused.
 */
export function clientRefreshToken(userId: string, secret: string): string {
  return `${Buffer.from(userId, 'utf8').toString('base64url')}.${secret}`;
}

/** The parts of a presented refresh token, or null when it is not of our form. */
export function parseRefreshToken(presented: string): { ownerId: string; secret: string } | null {
  const dot = presented.indexOf('.');
  if (dot <= 0 || dot === presented.length - 1) return null;
  const ownerId = Buffer.from(presented.slice(0, dot), 'base64url').toString('utf8');
  return { ownerId, secret: presented.slice(dot + 1) };
}
