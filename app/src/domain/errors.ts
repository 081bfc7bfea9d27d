/**
 * Domain errors are named as facts. Each carries no HTTP detail: `src/http` maps them to
 * the error catalogue in one place. Messages never contain a token, a password or a hash.
 */
export abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class EmailAlreadyTaken extends DomainError {
  constructor() {
    super('an account with this email already exists');
  }
}

export class InvalidCredentials extends DomainError {
  constructor() {
    super('email or password is wrong');
  }
}

export class LoginRateLimited extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('too many failed logins');
  }
}

/**
 * The store could not serve the request in time: Redis unreachable, a failover longer than
 * the configured wait, or a write not confirmed by enough replicas. Always retryable; an
 * operation that ends in this error was not acknowledged and may or may not have applied,
 * so every write is safe to repeat.
 */
export class StoreUnavailable extends DomainError {
  constructor(
    readonly reason: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(`store unavailable: ${reason}`);
  }
}

/** The refresh token was already spent: presenting it again revoked its session (RFC 9700). */
export class RefreshTokenReused extends DomainError {
  constructor() {
    super('refresh token was already used; its session is revoked');
  }
}

/** A spent refresh token presented again within the reuse grace: the race is lost, not replayed. */
export class RefreshTokenAlreadyRotated extends DomainError {
  constructor() {
    super('refresh token was just rotated by another request');
  }
}

/** Unknown, expired, or of a session that has ended. */
export class RefreshTokenInvalid extends DomainError {
  constructor() {
    super('refresh token is not valid');
  }
}

export class AccessTokenMissing extends DomainError {
  constructor() {
    super('an access token is required');
  }
}

/** Not a bearer JWT at all: wrong scheme, wrong shape, bad encoding, or far too long. */
export class AccessTokenMalformed extends DomainError {
  constructor() {
    super('access token is malformed');
  }
}

/** Well formed but not ours: bad signature, unknown key, wrong algorithm, issuer or audience. */
export class AccessTokenInvalid extends DomainError {
  constructor() {
    super('access token is not valid');
  }
}

export class AccessTokenExpired extends DomainError {
  constructor() {
    super('access token has expired');
  }
}

export class AccessTokenRevoked extends DomainError {
  constructor() {
    super('access token has been revoked');
  }
}

/** No live session with this id belongs to the caller. */
export class SessionNotFound extends DomainError {
  constructor() {
    super('session not found');
  }
}
