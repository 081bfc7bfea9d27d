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
