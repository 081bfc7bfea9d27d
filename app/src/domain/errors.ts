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
