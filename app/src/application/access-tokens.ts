import { errors, jwtVerify, SignJWT } from 'jose';
import type { SigningKey } from '../config.js';
import { AccessTokenExpired, AccessTokenInvalid, AccessTokenMalformed } from '../domain/errors.js';
import type { AccessTokenClaims } from '../domain/revocation.js';
import { newIdentifier } from './secrets.js';

/** What a verified access token says; `email` spares GET /v1/me a storage round trip. */
export interface VerifiedAccessToken extends AccessTokenClaims {
  readonly email: string;
}

export interface AccessTokenSettings {
  readonly keys: readonly SigningKey[];
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

const ALGORITHM = 'HS256';

/** Signs with the first key; verifies with any key, chosen by the `kid` header. */
export class AccessTokens {
  private readonly signingKey: SigningKey;
  private readonly keysById: ReadonlyMap<string, Uint8Array>;

  constructor(private readonly settings: AccessTokenSettings) {
    const [first] = settings.keys;
    if (first === undefined) throw new Error('at least one signing key is required');
    this.signingKey = first;
    this.keysById = new Map(settings.keys.map((key) => [key.kid, key.secret]));
  }

  get ttlSeconds(): number {
    return this.settings.ttlSeconds;
  }

  async issue(
    subject: { userId: string; email: string; sessionId: string },
    now: number,
  ): Promise<{ token: string; claims: VerifiedAccessToken }> {
    const iat = Math.floor(now / 1000);
    const claims = {
      sub: subject.userId,
      sid: subject.sessionId,
      jti: newIdentifier(),
      email: subject.email,
      iat,
      exp: iat + this.settings.ttlSeconds,
    };
    const token = await new SignJWT({ sid: claims.sid, email: claims.email })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.signingKey.kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .sign(this.signingKey.secret);
    return { token, claims };
  }

  /** Signature (HS256 only, key by kid), issuer, audience and expiry; throws a domain error. */
  async verify(token: string, now: number): Promise<VerifiedAccessToken> {
    let payload: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, (header) => this.keyFor(header.kid), {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        currentDate: new Date(now),
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      });
      payload = verified.payload;
    } catch (error) {
      throw asDomainError(error);
    }
    return claimsOf(payload);
  }

  private keyFor(kid: string | undefined): Uint8Array {
    const key = kid === undefined ? undefined : this.keysById.get(kid);
    if (key === undefined) throw new AccessTokenInvalid();
    return key;
  }
}

function claimsOf(payload: Record<string, unknown>): VerifiedAccessToken {
  const { sub, sid, jti, email, iat, exp } = payload;
  const texts = [sub, sid, jti, email].every((value) => typeof value === 'string');
  if (!texts || typeof iat !== 'number' || typeof exp !== 'number') throw new AccessTokenInvalid();
  return { sub, sid, jti, email, iat, exp } as VerifiedAccessToken;
}

function asDomainError(error: unknown): Error {
  if (error instanceof AccessTokenInvalid) return error;
  if (error instanceof errors.JWTExpired) return new AccessTokenExpired();
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new AccessTokenMalformed();
  }
  if (error instanceof errors.JOSEError) return new AccessTokenInvalid();
  // jose rejects some garbage (bad base64, non-JSON header) with plain TypeErrors.
  return new AccessTokenMalformed();
}
