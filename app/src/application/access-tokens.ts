import { createDecoder, createSigner, createVerifier, TokenError } from 'fast-jwt';
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

type Verify = (token: string) => Record<string, unknown>;

/**
 * Signs with the first key; verifies with any key, chosen by the `kid` header. fast-jwt runs
 * HMAC synchronously through node:crypto (about 10 µs a token here, against about 100 µs for
 * the WebCrypto path of jose): this is the cost of every authenticated request.
 */
export class AccessTokens {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verifiersByKid: ReadonlyMap<string, Verify>;
  private readonly decodeHeader = createDecoder({ complete: true });

  constructor(private readonly settings: AccessTokenSettings) {
    const [first] = settings.keys;
    if (first === undefined) throw new Error('at least one signing key is required');
    this.sign = createSigner({
      key: Buffer.from(first.secret),
      algorithm: ALGORITHM,
      kid: first.kid,
      iss: settings.issuer,
      aud: settings.audience,
    });
    this.verifiersByKid = new Map(
      settings.keys.map((key) => [key.kid, this.verifierFor(key)] as const),
    );
  }

  get ttlSeconds(): number {
    return this.settings.ttlSeconds;
  }

  async issue(
    subject: { userId: string; email: string; sessionId: string },
    now: number,
  ): Promise<{ token: string; claims: VerifiedAccessToken }> {
    const iat = Math.floor(now / 1000);
    const claims: VerifiedAccessToken = {
      sub: subject.userId,
      sid: subject.sessionId,
      jti: newIdentifier(),
      email: subject.email,
      iat,
      exp: iat + this.settings.ttlSeconds,
    };
    return { token: this.sign({ ...claims }), claims };
  }

  /** Signature (HS256 only, key by kid), issuer, audience and expiry; throws a domain error. */
  async verify(token: string, now: number): Promise<VerifiedAccessToken> {
    const verify = this.verifiersByKid.get(this.kidOf(token));
    if (verify === undefined) throw new AccessTokenInvalid();

    let payload: Record<string, unknown>;
    try {
      payload = verify(token);
    } catch (error) {
      throw asDomainError(error);
    }

    const claims = claimsOf(payload);
    // Expiry is checked here against the caller's clock (tests move it); a token is dead from
    // the second its `exp` names.
    if (claims.exp <= Math.floor(now / 1000)) throw new AccessTokenExpired();
    return claims;
  }

  private verifierFor(key: SigningKey): Verify {
    return createVerifier({
      key: Buffer.from(key.secret),
      algorithms: [ALGORITHM],
      allowedIss: this.settings.issuer,
      allowedAud: this.settings.audience,
      requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
      ignoreExpiration: true,
      cache: false,
    });
  }

  private kidOf(token: string): string {
    let header: unknown;
    try {
      header = (this.decodeHeader(token) as { header: unknown }).header;
    } catch {
      throw new AccessTokenMalformed();
    }
    const kid = (header as { kid?: unknown } | null)?.kid;
    if (typeof kid !== 'string') throw new AccessTokenInvalid();
    return kid;
  }
}

function claimsOf(payload: Record<string, unknown>): VerifiedAccessToken {
  const { sub, sid, jti, email, iat, exp } = payload;
  const texts = [sub, sid, jti, email].every((value) => typeof value === 'string');
  if (!texts || typeof iat !== 'number' || typeof exp !== 'number') throw new AccessTokenInvalid();
  return { sub, sid, jti, email, iat, exp } as VerifiedAccessToken;
}

/** Unreadable tokens are malformed; readable ones that fail a check are invalid. */
function asDomainError(error: unknown): Error {
  if (!(error instanceof TokenError)) return new AccessTokenMalformed();
  switch (error.code) {
    case TokenError.codes.malformed:
    case TokenError.codes.invalidType:
    case TokenError.codes.invalidPayload:
    case TokenError.codes.missingSignature:
      return new AccessTokenMalformed();
    default:
      return new AccessTokenInvalid();
  }
}
